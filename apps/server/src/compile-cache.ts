// A V8 code cache for the third-party CommonJS modules the server loads (MikroORM, knex, Fastify,
// pino: 3.5 MB of source, bundled into dist/vendor.cjs and dist/vendor-later.cjs by the build, some 900 files otherwise). Node 20 compiles each from source at every start
// (module.enableCompileCache is Node 22); compiling was a sixth of the start's CPU. Measured on the
// start-to-/readyz benchmark: about 200 ms less once the cache is warm. The server's own code,
// dist/server.cjs, is built to CommonJS to compile through it too (see bundle-main.ts).
// The cache is one file per Node version in a directory private to this user; a module whose
// source changed misses (entries are keyed by a hash of the source; for the vendor bundles, by the
// hash their build wrote beside them, with their size and mtime), and anything unusable (a
// directory another user owns, an unreadable or corrupt file, no space) only turns the cache off.
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import vm from 'node:vm';

/** Node 22's switch for its own compile cache, honoured here too. */
export const DISABLE_VARIABLE = 'NODE_DISABLE_COMPILE_CACHE';

/** The default directory: per user, as Node 22 keeps its own compile cache under the temporary directory. */
export function defaultCompileCacheDir(): string {
  return join(tmpdir(), `gpu-shopper-compile-cache-${process.getuid?.() ?? 'user'}`);
}

/** The cache file: V8 rejects another version's data anyway, so each version keeps its own. */
export function cacheFileName(): string {
  return `v8-${process.versions.v8}-${process.arch}.bin`;
}

/**
 * Whether `dir` may hold a cache this process executes: a real directory (not a link), ours, and
 * closed to everyone else (a directory others can write to could be given code to run as us).
 */
export function isPrivateDirectory(dir: string): boolean {
  const stats = lstatSync(dir, { throwIfNoEntry: false });
  if (stats === undefined || !stats.isDirectory()) return false;
  return (process.getuid === undefined || stats.uid === process.getuid()) && (stats.mode & 0o077) === 0;
}

interface Entry {
  /** Hash of the module's source: a changed file misses. */
  sourceHash: string;
  data: Buffer;
}

/**
 * The file: a 4-byte length, a JSON index (file name to source hash, offset and length), then the
 * cached data back to back.
 */
export function encodeCache(entries: ReadonlyMap<string, Entry>): Buffer {
  const index: Record<string, [string, number, number]> = {};
  let offset = 0;
  for (const [file, entry] of entries) {
    index[file] = [entry.sourceHash, offset, entry.data.length];
    offset += entry.data.length;
  }
  const json = Buffer.from(JSON.stringify(index));
  const header = Buffer.alloc(4);
  header.writeUInt32LE(json.length);
  return Buffer.concat([header, json, ...[...entries.values()].map((entry) => entry.data)]);
}

/** The entries of a file encodeCache wrote; throws on anything else. */
export function decodeCache(file: Buffer): Map<string, Entry> {
  const jsonLength = file.readUInt32LE(0);
  const index = JSON.parse(file.subarray(4, 4 + jsonLength).toString('utf8')) as Record<string, [string, number, number]>;
  const start = 4 + jsonLength;
  const entries = new Map<string, Entry>();
  for (const [name, [sourceHash, offset, length]] of Object.entries(index)) {
    if (start + offset + length > file.length) throw new Error('compile cache: truncated');
    entries.set(name, { sourceHash, data: file.subarray(start + offset, start + offset + length) });
  }
  return entries;
}

/** A source's hash, as the cache keys modules by it (and the build writes it beside the vendor bundles). */
export const sourceHashOf = (source: string | Buffer) => createHash('sha1').update(source).digest('base64');

/** Beside a built file the cache is given (`options.files`), its sourceHashOf, written by the build (src/build/source-hashes.ts). */
export const SOURCE_HASH_SUFFIX = '.sha1';

/**
 * The key of a built file without hashing it (8 MB of vendor bundle: 28 ms of every start): the
 * hash its build wrote beside it, and its size and mtime, so that a file replaced or edited since
 * (the hash file then stale) still misses. Undefined where there is no hash file.
 */
function builtFileKey(filename: string): string | undefined {
  try {
    const hash = readFileSync(`${filename}${SOURCE_HASH_SUFFIX}`, 'utf8').trim();
    const { size, mtimeMs } = statSync(filename);
    return hash === '' ? undefined : `build:${hash}:${size}:${mtimeMs}`;
  } catch {
    return undefined;
  }
}

/**
 * A built file's source, as Node's loader would read it, between `head` and `tail` (Node's module
 * wrapper: one string as read, where wrapping the source after copied its megabytes once more). An
 * ASCII file (the bundles, see src/build/ascii-output.ts) becomes a one-byte string straight from
 * its bytes, where decoding them as UTF-8 took several times as long (with any other character in
 * it, a two-byte string twice its size: 40 ms of every start for dist/vendor.cjs); anything else is
 * decoded as UTF-8.
 */
export function readBuiltFile(filename: string, head = '', tail = ''): string {
  const fd = openSync(filename, 'r');
  let bytes: Buffer;
  try {
    const size = fstatSync(fd).size;
    const headLength = Buffer.byteLength(head);
    bytes = Buffer.allocUnsafe(headLength + size + Buffer.byteLength(tail));
    bytes.write(head, 0);
    let read = 0;
    for (let got = -1; read < size && got !== 0; read += got) got = readSync(fd, bytes, headLength + read, size - read, read);
    if (read < size) bytes = bytes.subarray(0, headLength + read); // cut short since its size was read
    bytes.write(tail, headLength + read);
  } finally {
    closeSync(fd);
  }
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** Reads the cache file, if there is a usable one: ours, in a private directory. */
function readCache(file: string): Map<string, Entry> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return new Map(); // none yet
  }
  try {
    const stats = fstatSync(fd);
    if (process.getuid !== undefined && stats.uid !== process.getuid()) return new Map();
    return decodeCache(readFileSync(fd));
  } catch {
    return new Map(); // corrupt or unreadable: rebuilt at exit
  } finally {
    closeSync(fd);
  }
}

type ExtensionLoader = (module: Module, filename: string) => void;
type CompileFunction = (this: Module, content: string, filename: string, format?: string) => unknown;
interface InternalModule {
  prototype: { _compile: CompileFunction; require(id: string): unknown; exports: unknown };
  wrap(source: string): string;
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: unknown): string[] | null;
  _extensions: Record<string, ExtensionLoader>;
  _cache: unknown;
}

export interface CompileCache {
  dir: string;
  /** Modules compiled from the cache / from source so far. */
  stats(): { hits: number; misses: number };
  /** Writes what was compiled from source since the file was read (at exit on its own). */
  save(): void;
  /** Puts Node's own compiler back (tests). */
  uninstall(): void;
}

/**
 * Where the installed cache is kept for this process: the entry (bundle-main.ts) and the server's
 * bundle (dist/server.cjs) each hold their own copy of this module, and both must find it.
 */
const INSTALLED = Symbol.for('gpu-shopper.compile-cache');
const processSlots = globalThis as unknown as Record<typeof INSTALLED, CompileCache | undefined>;

/** The cache installed in this process, if any (v8-tuning.ts saves it before V8's flags change). */
export function installedCompileCache(): CompileCache | null {
  return processSlots[INSTALLED] ?? null;
}

export interface CompileCacheOptions {
  /** CommonJS files outside node_modules to compile through the cache too (the server's vendor bundle, dist/vendor.cjs). */
  files?: readonly string[];
}

/**
 * Compiles CommonJS modules under node_modules (and `options.files`) through the cache, from now on.
 * Null (and nothing installed) when it is turned off or the directory is not usable.
 */
export function installCompileCache(dir = defaultCompileCacheDir(), env: NodeJS.ProcessEnv = process.env, options: CompileCacheOptions = {}): CompileCache | null {
  if (env[DISABLE_VARIABLE] !== undefined && env[DISABLE_VARIABLE] !== '') return null;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return null;
  }
  if (!isPrivateDirectory(dir)) return null;
  const file = join(dir, cacheFileName());
  const stored = readCache(file);
  const fresh = new Map<string, { sourceHash: string; script: vm.Script }>();
  let hits = 0;
  // With source maps on (--enable-source-maps), a file that has one is left to Node, which applies it
  // to stack traces (it does not for code compiled here).
  const files = new Set(options.files?.filter((name) => !(process.sourceMapsEnabled && existsSync(`${name}.map`))));
  const cacheable = (filename: string) => filename.includes(`${sep}node_modules${sep}`) || files.has(filename);

  const NodeModule = Module as unknown as InternalModule;
  const original = NodeModule.prototype._compile;
  /** Compiles `wrapped` (the module's source in Node's wrapper) through the cache, and runs it as `module`. */
  const run = (module: Module, wrapped: string, filename: string, sourceHash: string) => {
    const cached = stored.get(filename);
    const script = new vm.Script(wrapped, {
      filename,
      cachedData: cached?.sourceHash === sourceHash ? cached.data : undefined,
      // import() inside the module loads as it would from a module Node compiled.
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (cached?.sourceHash === sourceHash && !script.cachedDataRejected) hits++;
    else fresh.set(filename, { sourceHash, script });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return Reflect.apply(wrapper, module.exports, [module.exports, requireFor(module, NodeModule), module, filename, dirname(filename)]);
  };
  const compile: CompileFunction = function (this: Module, content, filename, format) {
    // ES modules, and anything else Node decides (ES syntax, .mjs, loaders' formats), stay Node's.
    if ((format !== undefined && format !== 'commonjs') || !cacheable(filename)) return original.call(this, content, filename, format);
    // Files under node_modules are always hashed: a package can change under the same size and mtime.
    return run(this, NodeModule.wrap(content), filename, (files.has(filename) ? builtFileKey(filename) : undefined) ?? sourceHashOf(content));
  };
  NodeModule.prototype._compile = compile;
  // The given CommonJS files are read here, in the wrapper Module.wrap puts around a source (see
  // readBuiltFile); anything else as Node reads it.
  const originalLoadJs = NodeModule._extensions['.js']!;
  const [head, tail] = NodeModule.wrap('\0').split('\0') as [string, string];
  const loadJs: ExtensionLoader = function (this: unknown, module, filename) {
    if (!files.has(filename) || !filename.endsWith('.cjs')) return Reflect.apply(originalLoadJs, this, [module, filename]) as void;
    const wrapped = readBuiltFile(filename, head, tail);
    run(module, wrapped, filename, builtFileKey(filename) ?? sourceHashOf(wrapped.slice(head.length, wrapped.length - tail.length)));
  };
  if (files.size > 0) NodeModule._extensions['.js'] = loadJs;

  let saved = false;
  const save = () => {
    if (fresh.size === 0) return;
    // After the modules ran: the data then holds the functions they compiled while starting.
    // Files gone since (a reinstall moved them) leave the cache, so it does not grow for ever.
    const entries = new Map<string, Entry>([...stored].filter(([name]) => existsSync(name)));
    for (const [name, { sourceHash, script }] of fresh) entries.set(name, { sourceHash, data: script.createCachedData() });
    fresh.clear();
    try {
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, encodeCache(entries), { mode: 0o600 });
      renameSync(temporary, file); // whole or not at all, should two servers exit together
      stored.clear();
      for (const [name, entry] of entries) stored.set(name, entry);
    } catch {
      // A full disk or a read-only directory: the next start compiles from source, as without a cache.
    }
  };
  const onExit = () => {
    if (!saved) save();
    saved = true;
  };
  process.once('exit', onExit);
  const cache: CompileCache = {
    dir,
    stats: () => ({ hits, misses: fresh.size }),
    save,
    uninstall: () => {
      process.removeListener('exit', onExit);
      if (processSlots[INSTALLED] === cache) delete processSlots[INSTALLED];
      if (NodeModule.prototype._compile === compile) NodeModule.prototype._compile = original;
      if (NodeModule._extensions['.js'] === loadJs) NodeModule._extensions['.js'] = originalLoadJs;
    },
  };
  processSlots[INSTALLED] = cache;
  return cache;
}

/** The `require` Node gives a module (its internal makeRequireFunction, which is not exported). */
function requireFor(module: Module, NodeModule: InternalModule): NodeJS.Require {
  const require = ((id: string) => (module as unknown as InternalModule['prototype']).require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => NodeModule._resolveFilename(request, module, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => NodeModule._resolveLookupPaths(request, module);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = NodeModule._extensions as NodeJS.Require['extensions'];
  require.cache = NodeModule._cache as NodeJS.Require['cache'];
  return require;
}
