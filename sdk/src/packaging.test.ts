// The SDK as a user gets it: built, packed, installed into an empty project outside the repository
// (offline, from the npm cache), type-checked under NodeNext and Bundler with nothing of the server
// in sight, and run with plain node against a server in simulation mode.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, silentLogger, startServer, type RunningServer } from '@gpu-shopper/server';

const exec = promisify(execFile);
const sdkDir = path.resolve(import.meta.dirname, '..');
const repoRoot = path.resolve(sdkDir, '..');
const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
const ADMIN_KEY = 'sdk-packaging-admin-key-0000';
/** What a consumer's type graph must never reach: the server and its dependencies. */
const SERVER_CODE = /@mikro-orm|fastify|knex|@gpu-shopper\/(?!sdk)/;

interface PackResult {
  filename: string;
  integrity: string;
  files: { path: string }[];
}

interface LockEntry {
  version: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

// npm's own variables (a workspace, a prefix) would point the npm commands below at the repository.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD'));

function npm(args: string[], cwd: string) {
  return exec('npm', args, { cwd, env: cleanEnv, maxBuffer: 16 * 1024 * 1024 });
}

/** The consumer's package-lock: the repository's versions of `roots` and what they need, plus the packed SDK. */
function consumerLock(roots: Record<string, string>, sdk: { tarball: string; pack: PackResult; manifest: LockEntry }): object {
  const repoLock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, LockEntry> = {};
  const add = (name: string) => {
    if (packages[`node_modules/${name}`] !== undefined) return;
    const entry = repoLock.packages[`node_modules/${name}`];
    if (entry === undefined) throw new Error(`${name} is not in the repository's package-lock.json`);
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
    packages[`node_modules/${name}`] = { ...kept, resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz` };
    for (const dependency of Object.keys(entry.dependencies ?? {})) add(dependency);
    for (const peer of Object.keys(entry.peerDependencies ?? {})) if (entry.peerDependenciesMeta?.[peer]?.optional !== true) add(peer);
  };
  for (const name of Object.keys(roots)) if (name !== '@gpu-shopper/sdk') add(name);
  const { dependencies, peerDependencies, engines } = sdk.manifest;
  packages['node_modules/@gpu-shopper/sdk'] = { version: sdk.manifest.version, resolved: `file:${sdk.tarball}`, integrity: sdk.pack.integrity, dependencies, peerDependencies, engines };
  for (const name of [...Object.keys(dependencies ?? {}), ...Object.keys(peerDependencies ?? {})]) add(name);
  return { name: 'sdk-consumer', lockfileVersion: 3, requires: true, packages: { '': { name: 'sdk-consumer', dependencies: roots }, ...packages } };
}

/** A user's app: every line must compile and run. */
const SAMPLE = `
import { createShopperClient, describeShopperError, type Offer, type SessionDetail } from '@gpu-shopper/sdk';

const url = process.env.GPU_SHOPPER_URL!;
const admin = createShopperClient({ url, apiKey: process.env.GPU_SHOPPER_ADMIN_KEY! });
const { key } = await admin.admin.createKey.mutate({ consumer: 'packaged-app' });
const shopper = createShopperClient({ url, apiKey: key });
const { offers } = await shopper.inventory.search.query({ gpu: '4090', sort: 'price' });
const cheapest: Offer | undefined = offers[0];
const once = createShopperClient({ url, apiKey: key, headers: { 'idempotency-key': 'packaging-test' } });
const session = await once.sessions.create.mutate({ offerId: cheapest?.id, hours: 1, workload: 'batch' });
const replayed = await once.sessions.create.mutate({ offerId: cheapest?.id, hours: 1, workload: 'batch' });
const detail: SessionDetail = await shopper.sessions.get.query({ id: session.id });
const invalid = await shopper.sessions.create.mutate({ gpu: '4090', hours: 99, workload: 'batch' }).catch(describeShopperError);
const ended = await shopper.sessions.done.mutate({ id: session.id });
console.log(JSON.stringify({ offers: offers.length, gpuModel: cheapest?.gpuModel, session: detail.id, state: detail.state, replayed: replayed.id, invalid, ended: ended.state }));
`;

/** Each of these must fail to compile, at the line named. */
const MISTAKES = `
import { createShopperClient } from '@gpu-shopper/sdk';

const shopper = createShopperClient({ url: 'http://localhost:8080', apiKey: 'gsc_example' });
await shopper.sessions.create.mutate({ gpu: '4090', hours: 'two', workload: 'batch' });
const session = await shopper.sessions.get.query({ id: 'ses_1' });
console.log(session.pricePerHour);
await shopper.inventory.search.query({ gpu: 4090 });
`;

const COMMON_OPTIONS = { target: 'ES2022', strict: true, types: ['node'], rootDir: '.' };

describe('the packed SDK, installed outside the repository', () => {
  let project: string;
  let pack: PackResult;
  let server: RunningServer | undefined;
  const typecheck = { nodenext: '', bundler: '' };

  beforeAll(async () => {
    await npm(['run', 'build', '-w', '@gpu-shopper/sdk'], repoRoot);
    // Real path: the compiler lists files by theirs (macOS's temporary folder is behind a link).
    project = realpathSync(mkdtempSync(path.join(tmpdir(), 'gpu-shopper-sdk-consumer-')));
    [pack] = JSON.parse((await npm(['pack', '-w', '@gpu-shopper/sdk', '--json', '--pack-destination', project], repoRoot)).stdout) as [PackResult];

    const manifest = JSON.parse(readFileSync(path.join(sdkDir, 'package.json'), 'utf8')) as LockEntry;
    const repoVersion = (name: string) => (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    const dependencies = { '@gpu-shopper/sdk': `file:${pack.filename}`, openai: repoVersion('openai'), '@types/node': repoVersion('@types/node') };
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true, type: 'module', dependencies }, null, 2));
    writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify(consumerLock(dependencies, { tarball: pack.filename, pack, manifest }), null, 2));
    // From the cache that the repository's own install filled; the network only if that misses.
    await npm(['ci', '--offline', '--no-audit', '--no-fund'], project).catch((error: { stderr?: string }) => {
      if (!error.stderr?.includes('ENOTCACHED')) throw error;
      return npm(['ci', '--prefer-offline', '--no-audit', '--no-fund'], project);
    });

    writeFileSync(path.join(project, 'sample.ts'), SAMPLE);
    writeFileSync(path.join(project, 'mistakes.ts'), MISTAKES);
    copyFileSync(path.join(sdkDir, 'examples/llm-chat.ts'), path.join(project, 'llm-chat.ts'));
    const files = ['sample.ts', 'mistakes.ts', 'llm-chat.ts'];
    // A Node app as `tsc --init` sets one up (skipLibCheck), and a bundled one that checks every
    // declaration file, the SDK's included (with DOM: @trpc/client's types name RequestInfo).
    writeFileSync(path.join(project, 'tsconfig.nodenext.json'), JSON.stringify({ compilerOptions: { ...COMMON_OPTIONS, lib: ['ES2023'], skipLibCheck: true, module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'out' }, files }));
    writeFileSync(path.join(project, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...COMMON_OPTIONS, lib: ['ES2023', 'DOM'], skipLibCheck: false, module: 'ESNext', moduleResolution: 'Bundler', noEmit: true }, files }));
    // The repository's TypeScript; the NodeNext run also emits the JavaScript that plain node runs.
    const check = (resolution: string) =>
      exec(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`, '--pretty', 'false', '--listFiles'], { cwd: project }).then(
        ({ stdout }) => stdout,
        (error: { stdout: string }) => error.stdout,
      );
    [typecheck.nodenext, typecheck.bundler] = await Promise.all([check('nodenext'), check('bundler')]);
  }, 240_000);

  afterAll(async () => {
    await server?.close();
    if (project !== undefined) rmSync(project, { recursive: true, force: true });
  });

  it('ships the build, the README and the manifest, nothing else', () => {
    expect(pack.files.map((file) => file.path).sort()).toEqual(['README.md', 'dist/index.d.ts', 'dist/index.js', 'package.json']);
    const manifest = JSON.parse(readFileSync(path.join(project, 'node_modules/@gpu-shopper/sdk/package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ version: '0.1.0', type: 'module', types: './dist/index.d.ts', dependencies: { '@trpc/client': expect.any(String) } });
    expect(manifest.private).toBeUndefined();
  });

  it('imports only @trpc/client at run time and only @trpc/* types, nothing of the server', () => {
    const specifiers = (file: string) => {
      const text = readFileSync(path.join(project, 'node_modules/@gpu-shopper/sdk/dist', file), 'utf8');
      expect(text).not.toMatch(SERVER_CODE);
      return [...new Set([...text.matchAll(/(?:from\s*|import\s*\(\s*)["']([^"']+)["']/g)].map((match) => match[1]))].sort();
    };
    expect(specifiers('index.js')).toEqual(['@trpc/client']);
    expect(specifiers('index.d.ts')).toEqual(['@trpc/client', '@trpc/server']);
  });

  for (const resolution of ['nodenext', 'bundler'] as const) {
    it(`type-checks a sample app and the example under ${resolution} resolution, and rejects wrong arguments`, () => {
      const output = typecheck[resolution];
      const errors = [...output.matchAll(/^(\S+)\((\d+),\d+\): error (TS\d+)/gm)].map(([, file, line, code]) => `${file}:${line} ${code}`);
      // hours: 'two'; a property the output does not have; gpu: a number. Nothing in the sample or the example.
      expect(errors, output).toEqual(['mistakes.ts:5 TS2322', 'mistakes.ts:7 TS2551', 'mistakes.ts:8 TS2322']);
      expect(output).toContain("Property 'pricePerHour' does not exist");

      const program = output.split('\n').filter((line) => line.startsWith('/'));
      expect(program).toContain(path.join(project, 'node_modules/@gpu-shopper/sdk/dist/index.d.ts'));
      expect(program.filter((file) => SERVER_CODE.test(file))).toEqual([]);
      expect(program.filter((file) => !file.startsWith(`${project}/`) && !file.startsWith(path.join(repoRoot, 'node_modules/typescript/lib/')))).toEqual([]);
    });
  }

  it('runs with plain node against a server in simulation mode', async () => {
    const dataDir = mkdtempSync(path.join(project, 'server-'));
    server = await startServer({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: path.join(dataDir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY, GPU_SHOPPER_SIM_BOOT_DELAY_MS: '0', GPU_SHOPPER_SIM_NODES: 'none' }),
      logger: silentLogger,
      runLifecycle: false,
    });
    expect(server.simulatedProviders).toEqual(['vastai', 'tensordock']);
    const { stdout } = await exec(process.execPath, ['out/sample.js'], { cwd: project, env: { ...cleanEnv, GPU_SHOPPER_URL: server.url, GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY } });
    const result = JSON.parse(stdout) as { offers: number; gpuModel: string; session: string; state: string; replayed: string; invalid: unknown; ended: string };
    expect(result.offers).toBeGreaterThan(0);
    expect(result.gpuModel).toBe('RTX 4090');
    expect(result.state).toBe('provisioning');
    expect(result.replayed).toBe(result.session);
    expect(result.invalid).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, field: 'hours', retryAfterSeconds: null });
    expect(result.ended).toMatch(/^(stopping|terminated)$/);
  });
});
