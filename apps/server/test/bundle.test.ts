// The built server (`npm start` runs dist/main.js), built here into a scratch folder with the real
// tsup configuration: what its start loads, and that it serves. The start-up benchmark measures it;
// this checks what makes it quick, and that none of it changed what the server does.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isBuiltin } from 'node:module';
import { isAscii } from 'node:buffer';
import { join, sep } from 'node:path';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laterVendorBuild, serverBuild, serverCodeBuild, vendorBuild } from '../tsup.config';
import { cacheFileName, decodeCache, SOURCE_HASH_SUFFIX, sourceHashOf } from '../src/compile-cache';
import { VENDORED_PACKAGES } from '../src/vendor';
import { LATER_VENDORED_PACKAGES } from '../src/vendor-later';

const SERVER_DIR = join(import.meta.dirname, '..');
const REPO_ROOT = join(SERVER_DIR, '..', '..');
const ADMIN_KEY = 'bundle-test-admin-key-0123456789';

describe('the server bundle', () => {
  let outDir: string;
  /** dist/main.js, the ES entry. */
  let entry: string;
  /** dist/server.cjs, the server's code. */
  let bundle: string;
  const scratch: string[] = [];
  beforeAll(async () => {
    // Inside the repository's node_modules (ignored by git), so that the bundle resolves its packages as dist/ does.
    mkdirSync(join(REPO_ROOT, 'node_modules', '.cache'), { recursive: true });
    outDir = mkdtempSync(join(REPO_ROOT, 'node_modules', '.cache', 'gpu-shopper-server-bundle-'));
    // The server bundle (its main entry and its code) and the vendor bundles, as `npm run build` makes them.
    const builds: Options[] = [
      { ...serverBuild, entry: { main: join(SERVER_DIR, 'src', 'bundle-main.ts') } },
      { ...serverCodeBuild, entry: { server: join(SERVER_DIR, 'src', 'serve.ts') } },
      { ...vendorBuild, entry: { vendor: join(SERVER_DIR, 'src', 'vendor.ts') } },
      { ...laterVendorBuild, entry: { 'vendor-later': join(SERVER_DIR, 'src', 'vendor-later.ts') } },
    ];
    for (const options of builds) await build({ ...options, outDir, tsconfig: join(SERVER_DIR, 'tsconfig.json'), sourcemap: false, silent: true, config: false });
    writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n'); // as apps/server/package.json says for dist/
    entry = readFileSync(join(outDir, 'main.js'), 'utf8');
    bundle = readFileSync(join(outDir, 'server.cjs'), 'utf8');
  }, 120_000);
  afterAll(() => {
    for (const dir of [outDir, ...scratch]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** The packages a bundle requires at its top, where it runs (not those it requires on demand, inside functions). */
  const topRequires = (source: string) => [...source.matchAll(/^var \w+ = require\("([^"]+)"\);$/gm)].map((match) => match[1]!);

  it('is an ES entry that requires the server, CommonJS and ASCII, once the compile cache is in place', () => {
    // Node's own modules only: the server's code is in server.cjs, which the compile cache compiles.
    expect([...entry.matchAll(/^import\s[^;]*?from\s*"([^"]+)"/gm)].map((match) => match[1]!).filter((name) => !isBuiltin(name))).toEqual([]);
    expect(entry.indexOf('installCompileCache(')).toBeLessThan(entry.lastIndexOf('server.cjs'));
    expect(bundle.startsWith('"use strict";')).toBe(true);
    // import.meta.url is the bundle's own URL, as in the ES module it was built from.
    expect(bundle).toMatch(/importMetaUrl = \(0, import_node_url\d*\.pathToFileURL\)\(__filename\)\.href;/);
    expect(bundle).not.toContain('import.meta');
    // Each CommonJS bundle is ASCII (read straight from its bytes, see compile-cache.ts).
    for (const file of ['server.cjs', 'vendor.cjs', 'vendor-later.cjs']) expect(isAscii(readFileSync(join(outDir, file)))).toBe(true);
  });

  it('takes its third-party packages from the vendor bundle, not node_modules', () => {
    // Node's own modules only (sqlite3 and pg are required by the vendor bundles, and pg imported on demand).
    expect(topRequires(bundle).filter((name) => !isBuiltin(name) && !name.startsWith('./'))).toEqual([]);
    for (const name of [...VENDORED_PACKAGES, ...LATER_VENDORED_PACKAGES]) expect(bundle).not.toContain(`require("${name}")`);
    expect(bundle).toContain('require("./vendor.cjs").loadVendored("@mikro-orm/core")');
    expect(bundle).toContain('require("./vendor.cjs").loadVendored("zod")');
    expect(bundle).toContain('require("./vendor.cjs").loadVendored("ofetch")');
    expect(bundle).toContain('require("./vendor-later.cjs").loadVendored("trpc-to-openapi")');
    // ofetch's platform-neutral build, without the fetch polyfill its node build loads (src/build/neutral-builds.ts).
    const vendor = readFileSync(join(outDir, 'vendor.cjs'), 'utf8');
    expect(vendor).toMatch(/^\/\/ \S*node_modules\/ofetch\/dist\/index\.cjs$/m);
    expect(vendor).not.toContain('node_modules/node-fetch-native/');
    // Each CommonJS bundle with the hash the compile cache keys it on.
    for (const file of ['server.cjs', 'vendor.cjs', 'vendor-later.cjs']) expect(readFileSync(join(outDir, `${file}${SOURCE_HASH_SUFFIX}`), 'utf8')).toBe(`${sourceHashOf(readFileSync(join(outDir, file)))}\n`);
  });

  it('takes the packages the later vendor bundle shares with the first from it, not a copy of its own', () => {
    const later = readFileSync(join(outDir, 'vendor-later.cjs'), 'utf8');
    expect(later).toContain('require("./vendor.cjs").loadVendored("@mikro-orm/core")');
    expect(later).toContain('require("./vendor.cjs").loadVendored("zod/v4")');
    for (const name of ['@mikro-orm/core', '@mikro-orm/knex', 'knex', 'zod', '@trpc/server', 'fastify']) expect(later).not.toContain(`node_modules/${name}/`);
  });

  it('leaves trpc-to-openapi to the first REST request, and the agent out but for its JSON depth scan', () => {
    expect(bundle).not.toMatch(/^var \w+ = require\("\.\/vendor-later\.cjs"\)/m);
    const agentModules = [...new Set([...bundle.matchAll(/^\/\/ \S*agent\/src\/(\S+)$/gm)].map((match) => match[1]))];
    // Its entry stays, emptied of all but that re-export.
    expect(agentModules.filter((module) => module !== 'index.ts')).toEqual(['server/json-body.ts']);
  });

  /** A start of the built server on `dbFile`, once it answers /readyz with 200; TMPDIR (the compile cache's home) is `processTmp`. */
  async function startBuilt(dbFile: string, processTmp: string) {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: processTmp, PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: dbFile, GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY, GPU_SHOPPER_SIM_NODES: 'none', GPU_SHOPPER_LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, [join(outDir, 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    };
    try {
      const deadline = Date.now() + 45_000;
      let url: string | undefined;
      while (url === undefined) {
        url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
        if (child.exitCode !== null) throw new Error(`the server exited early: ${output}`);
        if (Date.now() > deadline) throw new Error(`the server did not start: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      let ready = await fetch(`${url}/readyz`);
      while (ready.status !== 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        ready = await fetch(`${url}/readyz`);
      }
      expect(await ready.json()).toEqual({ status: 'ready' });
      return { url, stop, output: () => output };
    } catch (error) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      throw error;
    }
  }

  const compiledFiles = (processTmp: string) => {
    const cacheFile = join(processTmp, `gpu-shopper-compile-cache-${process.getuid?.() ?? 'user'}`, cacheFileName());
    expect(existsSync(cacheFile)).toBe(true);
    return [...decodeCache(readFileSync(cacheFile)).keys()];
  };

  it('starts (migrating), serves REST (the adapter loaded on demand), fills the compile cache, and starts again without the later vendor bundle', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gpu-shopper-bundle-data-'));
    const processTmp = mkdtempSync(join(tmpdir(), 'gpu-shopper-bundle-tmp-'));
    const secondTmp = mkdtempSync(join(tmpdir(), 'gpu-shopper-bundle-tmp-'));
    scratch.push(dataDir, processTmp, secondTmp);
    const dbFile = join(dataDir, 'db.sqlite');
    const laterFile = join(outDir, 'vendor-later.cjs');
    const laterAside = join(outDir, 'vendor-later.cjs.aside');

    // A fresh database: the migrator comes from the later vendor bundle.
    const first = await startBuilt(dbFile, processTmp);
    try {
      const { url } = first;
      const unauthenticated = await fetch(`${url}/api/v1/inventory`);
      expect(unauthenticated.status).toBe(401);
      const inventory = await fetch(`${url}/api/v1/inventory?limit=1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(inventory.status).toBe(200);
      const whoami = await fetch(`${url}/api/v1/whoami`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(whoami.status).toBe(200);
      const unknownField = await fetch(`${url}/api/v1/budgets`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: '{"nonsense":1}' });
      expect(unknownField.status).toBe(400);
      expect(((await unknownField.json()) as { data: { fieldErrors: Record<string, string[]> } }).data.fieldErrors.nonsense).toEqual(['unknown field']);
      const document = (await (await fetch(`${url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(document.paths)).toContain('/inventory');
    } finally {
      expect(await first.stop()).toBe(0);
    }
    // Written at exit, in this user's directory under the process's TMPDIR: it holds the vendor
    // bundles, and no file of a vendored package from node_modules (which would be a second copy).
    const compiled = compiledFiles(processTmp);
    expect(compiled).toEqual(expect.arrayContaining([join(outDir, 'server.cjs'), join(outDir, 'vendor.cjs'), laterFile]));
    const vendoredRoots = [...VENDORED_PACKAGES, ...LATER_VENDORED_PACKAGES].map((name) => `${sep}node_modules${sep}${name.split('/').slice(0, 2).join(sep)}${sep}`);
    expect(compiled.filter((file) => vendoredRoots.some((root) => file.includes(root)))).toEqual([]);

    // The database up to date: ready without the later vendor bundle (moved aside until then), which
    // the first REST request then loads.
    renameSync(laterFile, laterAside);
    let second: Awaited<ReturnType<typeof startBuilt>> | undefined;
    try {
      second = await startBuilt(dbFile, secondTmp);
    } finally {
      renameSync(laterAside, laterFile);
    }
    try {
      const inventory = await fetch(`${second.url}/api/v1/inventory?limit=1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(inventory.status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect(second.output()).not.toMatch(/vendor-later/);
  }, 120_000);
});
