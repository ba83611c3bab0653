import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SOURCE_HASH_SUFFIX, sourceHashOf } from '../compile-cache';
import { writeSourceHashes } from './source-hashes';

describe('the source hashes the build writes', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the hash of each matching file beside it (tsup names them from the working directory), and no other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-source-hashes-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'vendor.cjs'), 'module.exports = 1;');
    writeFileSync(join(dir, 'main.js'), 'export {};');
    const plugin = writeSourceHashes(/\.cjs$/);
    const writtenFiles = ['vendor.cjs', 'main.js'].map((name) => ({ name: relative(process.cwd(), join(dir, name)), size: 0 }));
    await plugin.buildEnd!.call({} as never, { writtenFiles });
    expect(readFileSync(join(dir, `vendor.cjs${SOURCE_HASH_SUFFIX}`), 'utf8')).toBe(`${sourceHashOf('module.exports = 1;')}\n`);
    expect(() => readFileSync(join(dir, `main.js${SOURCE_HASH_SUFFIX}`))).toThrow(/ENOENT/);
  });
});
