// The built server (`npm start` runs dist/main.js), built here into a scratch folder with the real
// tsup configuration: what its start loads, and that it serves. The start-up benchmark measures it;
// this checks what makes it quick, and that none of it changed what the server does.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isBuiltin } from 'node:module';
import { join, sep } from 'node:path';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBuild, vendorBuild } from '../tsup.config';
import { cacheFileName, decodeCache } from '../src/compile-cache';
import { VENDORED_PACKAGES } from '../src/vendor';

const SERVER_DIR = join(import.meta.dirname, '..');
const REPO_ROOT = join(SERVER_DIR, '..', '..');
const ADMIN_KEY = 'bundle-test-admin-key-0123456789';

describe('the server bundle', () => {
  let outDir: string;
  let bundle: string;
  const scratch: string[] = [];
  beforeAll(async () => {
    // Inside the repository's node_modules (ignored by git), so that the bundle resolves its packages as dist/ does.
    mkdirSync(join(REPO_ROOT, 'node_modules', '.cache'), { recursive: true });
    outDir = mkdtempSync(join(REPO_ROOT, 'node_modules', '.cache', 'gpu-shopper-server-bundle-'));
    // The server bundle (its main entry) and the vendor bundle, as `npm run build` makes them.
    const builds: Options[] = [
      { ...serverBuild, entry: { main: join(SERVER_DIR, 'src', 'main.ts') } },
      { ...vendorBuild, entry: { vendor: join(SERVER_DIR, 'src', 'vendor.ts') } },
    ];
    for (const options of builds) await build({ ...options, outDir, tsconfig: join(SERVER_DIR, 'tsconfig.json'), sourcemap: false, silent: true, config: false });
    writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n'); // as apps/server/package.json says for dist/
    bundle = readFileSync(join(outDir, 'main.js'), 'utf8');
  }, 120_000);
  afterAll(() => {
    for (const dir of [outDir, ...scratch]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const staticImports = () => [...bundle.matchAll(/^import\s[^;]*?from\s*"([^"]+)"/gm)].map((match) => match[1]!);

  it('takes its third-party packages from the vendor bundle, not node_modules', () => {
    // Node's own modules, and the few packages left external (ofetch is ES only; see tsup.config.ts).
    expect(staticImports().filter((name) => !isBuiltin(name))).toEqual(['ofetch']);
    for (const name of VENDORED_PACKAGES) expect(bundle).not.toContain(`__require("${name}")`);
    expect(bundle).toContain('__require("./vendor.cjs").loadVendored("@mikro-orm/core")');
    expect(bundle).toContain('__require("./vendor.cjs").loadVendored("zod")');
    expect(existsSync(join(outDir, 'vendor.cjs'))).toBe(true);
  });

  it('leaves trpc-to-openapi to the first REST request, and the agent out but for its JSON depth scan', () => {
    expect(staticImports().filter((name) => name.startsWith('trpc-to-openapi'))).toEqual([]);
    const agentModules = [...new Set([...bundle.matchAll(/^\/\/ \S*agent\/src\/(\S+)$/gm)].map((match) => match[1]))];
    // Its entry stays, emptied of all but that re-export.
    expect(agentModules.filter((module) => module !== 'index.ts')).toEqual(['server/json-body.ts']);
  });

  it('starts, serves REST (the adapter loaded on demand) and fills the compile cache', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gpu-shopper-bundle-data-'));
    const processTmp = mkdtempSync(join(tmpdir(), 'gpu-shopper-bundle-tmp-'));
    scratch.push(dataDir, processTmp);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: processTmp, PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dataDir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY, GPU_SHOPPER_SIM_NODES: 'none', GPU_SHOPPER_LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, [join(outDir, 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // Written at exit, in this user's directory under the process's TMPDIR: it holds the vendor
      // bundle, and no file of a vendored package from node_modules (which would be a second copy).
      const cacheFile = join(processTmp, `gpu-shopper-compile-cache-${process.getuid?.() ?? 'user'}`, cacheFileName());
      expect(existsSync(cacheFile)).toBe(true);
      const compiled = [...decodeCache(readFileSync(cacheFile)).keys()];
      expect(compiled).toContain(join(outDir, 'vendor.cjs'));
      const vendoredRoots = VENDORED_PACKAGES.map((name) => `${sep}node_modules${sep}${name.split('/').slice(0, 2).join(sep)}${sep}`);
      expect(compiled.filter((file) => vendoredRoots.some((root) => file.includes(root)))).toEqual([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  }, 90_000);
});
