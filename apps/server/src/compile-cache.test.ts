import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheFileName, decodeCache, DISABLE_VARIABLE, encodeCache, installCompileCache, installedCompileCache, isPrivateDirectory, readBuiltFile, SOURCE_HASH_SUFFIX, sourceHashOf, type CompileCache } from './compile-cache';

describe('the compile cache', () => {
  const dirs: string[] = [];
  const installed: CompileCache[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-compile-cache-test-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const cache of installed.splice(0)) cache.uninstall();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const install = (dir: string, env: NodeJS.ProcessEnv = {}, files?: string[]) => {
    const cache = installCompileCache(dir, env, { files });
    if (cache !== null) installed.push(cache);
    return cache;
  };

  /** A CommonJS package under a node_modules folder, loaded fresh (a new file name each time). */
  let loads = 0;
  const loadPackage = (root: string, source = 'exports.answer = (() => 6 * 7)(); exports.dir = __dirname; exports.resolves = require.resolve("./index.js");') => {
    const dir = join(root, 'node_modules', `pkg-${++loads}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.js'), source);
    return { exports: createRequire(join(root, 'noop.js'))(dir) as { answer: number; dir: string; resolves: string }, file: join(dir, 'index.js'), dir };
  };

  it('is found by any copy of this module in the process until it is uninstalled', () => {
    const cache = install(join(tempDir(), 'cache'))!;
    expect(installedCompileCache()).toBe(cache);
    cache.uninstall();
    expect(installedCompileCache()).toBeNull();
  });

  it('compiles modules under node_modules through the cache, and hits on the next start', () => {
    const root = tempDir();
    const cacheDir = join(root, 'cache');
    const first = install(cacheDir)!;
    const loaded = loadPackage(root);
    // The module runs as Node would run it: its exports, __dirname and require.resolve.
    expect(loaded.exports).toEqual({ answer: 42, dir: loaded.dir, resolves: loaded.file });
    expect(first.stats()).toEqual({ hits: 0, misses: 1 });
    first.save();
    first.uninstall();

    const stored = decodeCache(readFileSync(join(cacheDir, cacheFileName())));
    expect([...stored.keys()]).toEqual([loaded.file]);

    // The next process: the same file, compiled again (a fresh module cache), now from the cache.
    const second = install(cacheDir)!;
    delete createRequire(import.meta.url).cache[loaded.file];
    expect((createRequire(join(root, 'noop.js'))(loaded.dir) as { answer: number }).answer).toBe(42);
    expect(second.stats()).toEqual({ hits: 1, misses: 0 });
  });

  it('misses when the source changed since it was cached, and runs the new source', () => {
    const root = tempDir();
    const cacheDir = join(root, 'cache');
    const first = install(cacheDir)!;
    const loaded = loadPackage(root, 'exports.answer = 1;');
    first.save();
    first.uninstall();

    // Same length, other code: V8 alone would accept the old data for it.
    writeFileSync(loaded.file, 'exports.answer = 2;');
    const second = install(cacheDir)!;
    delete createRequire(import.meta.url).cache[loaded.file];
    expect((createRequire(join(root, 'noop.js'))(loaded.dir) as { answer: number }).answer).toBe(2);
    expect(second.stats()).toEqual({ hits: 0, misses: 1 });
  });

  it('leaves modules outside node_modules to Node', () => {
    const root = tempDir();
    const cache = install(join(root, 'cache'))!;
    writeFileSync(join(root, 'own.cjs'), 'module.exports = 7;');
    expect(createRequire(join(root, 'noop.js'))('./own.cjs')).toBe(7);
    expect(cache.stats()).toEqual({ hits: 0, misses: 0 });
  });

  it('compiles the files it is given outside node_modules through the cache too (the vendor bundle)', () => {
    const root = tempDir();
    const cacheDir = join(root, 'cache');
    const vendor = join(root, 'dist', 'vendor.cjs');
    mkdirSync(join(root, 'dist'));
    writeFileSync(vendor, 'exports.loaded = (() => "vendored")();');
    writeFileSync(join(root, 'dist', 'other.cjs'), 'module.exports = 1;');
    const first = install(cacheDir, {}, [vendor])!;
    const require = createRequire(join(root, 'noop.js'));
    expect(require('./dist/vendor.cjs')).toEqual({ loaded: 'vendored' });
    expect(require('./dist/other.cjs')).toBe(1); // not listed: Node's
    expect(first.stats()).toEqual({ hits: 0, misses: 1 });
    first.save();
    first.uninstall();
    expect([...decodeCache(readFileSync(join(cacheDir, cacheFileName()))).keys()]).toEqual([vendor]);

    const second = install(cacheDir, {}, [vendor])!;
    delete require.cache[vendor];
    expect(require('./dist/vendor.cjs')).toEqual({ loaded: 'vendored' });
    expect(second.stats()).toEqual({ hits: 1, misses: 0 });
  });

  it('reads a given file as Node would (an ASCII one as Latin-1, straight from its bytes), inside the module wrapper', () => {
    const root = tempDir();
    const cacheDir = join(root, 'cache');
    const ascii = join(root, 'ascii.cjs');
    const other = join(root, 'other.cjs');
    writeFileSync(ascii, 'exports.text = "plain \\u00e9";');
    writeFileSync(other, 'exports.text = "caf\u00e9 \u{1F600}"; // \u00e9');
    expect(readBuiltFile(ascii)).toBe('exports.text = "plain \\u00e9";');
    expect(readBuiltFile(other, '(', ')')).toBe('(exports.text = "caf\u00e9 \u{1F600}"; // \u00e9)');
    expect(readBuiltFile(ascii, '(function () { ', '\n});')).toBe('(function () { exports.text = "plain \\u00e9";\n});');
    const require = createRequire(join(root, 'noop.js'));
    for (const expected of [{ hits: 0, misses: 2 }, { hits: 2, misses: 0 }]) {
      const cache = install(cacheDir, {}, [ascii, other])!;
      delete require.cache[ascii];
      delete require.cache[other];
      expect([require('./ascii.cjs'), require('./other.cjs')]).toEqual([{ text: 'plain \u00e9' }, { text: 'caf\u00e9 \u{1F600}' }]);
      expect(cache.stats()).toEqual(expected);
      cache.save();
      cache.uninstall();
    }
  });

  it('leaves a given file with a source map to Node when source maps are on, so that its stacks name the sources', () => {
    const root = tempDir();
    const bundle = join(root, 'server.cjs');
    writeFileSync(bundle, 'exports.loaded = true;\n//# sourceMappingURL=server.cjs.map\n');
    writeFileSync(`${bundle}.map`, JSON.stringify({ version: 3, sources: ['server.ts'], names: [], mappings: 'AAAA' }));
    const require = createRequire(join(root, 'noop.js'));
    const enabled = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(true);
    try {
      const cache = install(join(root, 'cache'), {}, [bundle])!;
      expect(require('./server.cjs')).toEqual({ loaded: true });
      expect(cache.stats()).toEqual({ hits: 0, misses: 0 });
    } finally {
      process.setSourceMapsEnabled(enabled);
    }
  });

  it('keys a given file on the hash its build wrote beside it, with its size and mtime, without hashing it', () => {
    const root = tempDir();
    const cacheDir = join(root, 'cache');
    const vendor = join(root, 'vendor.cjs');
    const require = createRequire(join(root, 'noop.js'));
    const writeBuilt = (source: string) => {
      writeFileSync(vendor, source);
      writeFileSync(`${vendor}${SOURCE_HASH_SUFFIX}`, `${sourceHashOf(source)}\n`);
    };
    const start = () => {
      const cache = install(cacheDir, {}, [vendor])!;
      delete require.cache[vendor];
      const answer = (require('./vendor.cjs') as { answer: number }).answer;
      const stats = cache.stats();
      cache.save();
      cache.uninstall();
      return { answer, ...stats };
    };
    writeBuilt('exports.answer = 1;');
    expect(start()).toEqual({ answer: 1, hits: 0, misses: 1 });
    expect(start()).toEqual({ answer: 1, hits: 1, misses: 0 });
    const key = [...decodeCache(readFileSync(join(cacheDir, cacheFileName()))).values()][0]!.sourceHash;
    const { size, mtimeMs } = statSync(vendor);
    expect(key).toBe(`build:${sourceHashOf('exports.answer = 1;')}:${size}:${mtimeMs}`); // the build's hash, not one of its own

    // Edited by hand, same length, the hash file left stale: the new mtime misses.
    writeFileSync(vendor, 'exports.answer = 2;');
    expect(start()).toEqual({ answer: 2, hits: 0, misses: 1 });
    // Rebuilt under the same mtime (a copy that keeps it): the new hash misses.
    const { mtime } = statSync(vendor);
    writeBuilt('exports.answer = 3;');
    utimesSync(vendor, mtime, mtime);
    expect(start()).toEqual({ answer: 3, hits: 0, misses: 1 });
    // No hash file: hashed at start, as a file under node_modules is.
    rmSync(`${vendor}${SOURCE_HASH_SUFFIX}`);
    expect(start()).toEqual({ answer: 3, hits: 0, misses: 1 });
    expect(start()).toEqual({ answer: 3, hits: 1, misses: 0 });
  });

  it('is off when NODE_DISABLE_COMPILE_CACHE is set', () => {
    expect(install(join(tempDir(), 'cache'), { [DISABLE_VARIABLE]: '1' })).toBeNull();
  });

  it('refuses a directory others can write to, or a link, and runs without a cache', () => {
    const root = tempDir();
    const open = join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(isPrivateDirectory(open)).toBe(false);
    expect(install(open)).toBeNull();

    const real = join(root, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(root, 'link'));
    expect(isPrivateDirectory(join(root, 'link'))).toBe(false);
    expect(install(join(root, 'link'))).toBeNull();
  });

  it('is off, not failing, where the directory cannot be made', () => {
    const root = tempDir();
    writeFileSync(join(root, 'file'), '');
    expect(install(join(root, 'file', 'cache'))).toBeNull();
  });

  it('starts over from a corrupt file, and writes a good one at save', () => {
    const root = tempDir();
    const cacheDir = join(root, 'cache');
    mkdirSync(cacheDir, { mode: 0o700 });
    writeFileSync(join(cacheDir, cacheFileName()), 'not a cache');
    const cache = install(cacheDir)!;
    expect(loadPackage(root).exports.answer).toBe(42);
    cache.save();
    expect(decodeCache(readFileSync(join(cacheDir, cacheFileName()))).size).toBe(1);
  });

  it('drops the entries of files that are gone when it writes', () => {
    const root = tempDir();
    const cacheDir = join(root, 'cache');
    const first = install(cacheDir)!;
    const gone = loadPackage(root);
    first.save();
    first.uninstall();
    rmSync(gone.dir, { recursive: true });

    const second = install(cacheDir)!;
    const kept = loadPackage(root);
    second.save();
    expect([...decodeCache(readFileSync(join(cacheDir, cacheFileName()))).keys()]).toEqual([kept.file]);
  });

  it('encodes and decodes entries, and refuses a truncated file', () => {
    const entries = new Map([
      ['/a/node_modules/x/index.js', { sourceHash: 'h1', data: Buffer.from([1, 2, 3]) }],
      ['/a/node_modules/y/index.js', { sourceHash: 'h2', data: Buffer.from([4]) }],
    ]);
    const encoded = encodeCache(entries);
    expect(decodeCache(encoded)).toEqual(entries);
    expect(() => decodeCache(encoded.subarray(0, encoded.length - 1))).toThrow(/truncated/);
  });
});
