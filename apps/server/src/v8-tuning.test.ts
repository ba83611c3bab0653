import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const COMPILE_CACHE = fileURLToPath(new URL('./compile-cache.ts', import.meta.url));
const V8_TUNING = fileURLToPath(new URL('./v8-tuning.ts', import.meta.url));

/**
 * Runs `steps` in a new Node process (V8's flags are the process's: this test's worker keeps its
 * own), with a compile cache in `cacheDir`, after loading a package under `root`'s node_modules
 * through it; prints the cache's stats as JSON.
 */
function inProcess(root: string, steps: string): { hits: number; misses: number } {
  const script = `
    import { createRequire } from 'node:module';
    import { setFlagsFromString } from 'node:v8';
    import { installCompileCache } from ${JSON.stringify(COMPILE_CACHE)};
    import { tuneV8ForServing } from ${JSON.stringify(V8_TUNING)};
    const cache = installCompileCache(${JSON.stringify(join(root, 'cache'))}, {});
    createRequire(${JSON.stringify(join(root, 'noop.js'))})(${JSON.stringify(join(root, 'node_modules', 'pkg'))});
    const stats = cache.stats();
    ${steps}
    console.log(JSON.stringify(stats));
  `;
  const file = join(root, `step-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(file, script);
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8' })) as { hits: number; misses: number };
}

describe('tuneV8ForServing', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const packageRoot = () => {
    const root = mkdtempSync(join(tmpdir(), 'gpu-shopper-v8-tuning-'));
    dirs.push(root);
    mkdirSync(join(root, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'pkg', 'index.js'), 'exports.answer = (() => 6 * 7)();');
    return root;
  };

  it('saves the compile cache while the flags are still those the next start reads it under', () => {
    const root = packageRoot();
    expect(inProcess(root, 'tuneV8ForServing();')).toEqual({ hits: 0, misses: 1 });
    // The next start (default flags) compiles the package from the data saved before the change.
    expect(inProcess(root, '')).toEqual({ hits: 1, misses: 0 });
  });

  it('is needed: data made after the flags changed is refused at the next start', () => {
    const root = packageRoot();
    expect(inProcess(root, "setFlagsFromString('--no-allocation-site-pretenuring'); cache.save();")).toEqual({ hits: 0, misses: 1 });
    expect(inProcess(root, '')).toEqual({ hits: 0, misses: 1 });
  });
});
