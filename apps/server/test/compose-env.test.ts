// The server as infra/docker-compose.yml starts it with nothing set (no infra/.env, an empty shell):
// the image's ENV plus what the compose file passes. It must start, in simulation mode, and hand
// the operator a key in the data directory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { startServer, type RunningServer } from '../src/start';
import { imageEnv, MissingVariableError, parseCompose, parseDockerfile, readRepoFile, serviceEnvironment } from './support/container-files';

const image = imageEnv(parseDockerfile(readRepoFile('Dockerfile')).at(-1)!);
const containerEnv = (file: string, service: string, shellEnv: Record<string, string>) => ({
  ...image,
  ...serviceEnvironment(parseCompose(readRepoFile(file)).services[service]!, shellEnv),
});

describe('the server under infra/docker-compose.yml with nothing set', () => {
  const env = containerEnv('infra/docker-compose.yml', 'gpu-shopper', {});
  let server: RunningServer | undefined;
  const dirs: string[] = [];
  afterAll(async () => {
    await server?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('gets exactly the image env: the compose file passes nothing that is not set', () => {
    expect(env).toEqual({ NODE_ENV: 'production', PORT: '8080', GPU_SHOPPER_DB: '/data/gpu-shopper.db' });
    const config = loadConfig(env);
    expect(config).toMatchObject({ port: 8080, dbPath: '/data/gpu-shopper.db', dataDir: '/data', adminKeyFile: '/data/admin-key', secretKeyFile: '/data/master-key', databaseUrl: null, adminKey: null });
    expect(config.vastai.apiKey).toBeNull();
    expect(config.tensordock.apiToken).toBeNull();
    expect(config.simulation.nodes).toBe('agent');
  });

  it('starts all the same when the shell has the variables but empty (VASTAI_API_KEY= ...)', () => {
    const shell = { VASTAI_API_KEY: '', TENSORDOCK_API_TOKEN: '', GPU_SHOPPER_PUBLIC_URL: '', GPU_SHOPPER_SECRET_KEY: '', GPU_SHOPPER_ADMIN_KEY: '', GPU_SHOPPER_WEBHOOK_URL: '', GPU_SHOPPER_WEBHOOK_SECRET: '' };
    const withEmpties = containerEnv('infra/docker-compose.yml', 'gpu-shopper', shell);
    expect(withEmpties).toMatchObject(shell);
    expect(loadConfig(withEmpties)).toEqual(loadConfig(env));
  });

  it('starts in simulation mode: ready, both simulators serving offers, the operator key in the data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gpu-shopper-compose-'));
    dirs.push(dataDir);
    // Only where it listens and the volume's path differ from the container.
    server = await startServer({ config: loadConfig({ ...env, PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dataDir, 'gpu-shopper.db') }), logger: silentLogger, runLifecycle: false });
    const readyz = await fetch(`${server.url}/readyz`);
    expect(readyz.status).toBe(200);
    expect(server.simulatedProviders.sort()).toEqual(['tensordock', 'vastai']);
    expect(server.admin).toEqual({ kind: 'generated', keyFile: join(dataDir, 'admin-key') });
    const adminKey = readFileSync(join(dataDir, 'admin-key'), 'utf8').trim();
    const inventory = await fetch(`${server.url}/api/v1/inventory?limit=50`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(inventory.status).toBe(200);
    const body = (await inventory.json()) as { offers: unknown[]; providers: { provider: string; status: string }[] };
    expect(body.offers.length).toBeGreaterThan(0);
    expect(body.providers.map((provider) => [provider.provider, provider.status]).sort()).toEqual([
      ['tensordock', 'fresh'],
      ['vastai', 'fresh'],
    ]);
  });
});

describe('the servers under infra/docker-compose.ha.yml', () => {
  it('refuse to start until the shared settings are set, then run on PostgreSQL behind the proxy', () => {
    expect(() => containerEnv('infra/docker-compose.ha.yml', 'server-1', {})).toThrow(MissingVariableError);
    const shell = { POSTGRES_PASSWORD: 'pg-password', GPU_SHOPPER_DEPLOYMENT_ID: 'prod-1', GPU_SHOPPER_SECRET_KEY: 'c2VjcmV0', GPU_SHOPPER_ADMIN_KEY: 'admin-key-0123456789' };
    const config = loadConfig(containerEnv('infra/docker-compose.ha.yml', 'server-1', shell));
    expect(config).toMatchObject({ databaseUrl: 'postgres://gpu_shopper:pg-password@postgres:5432/gpu_shopper', deploymentId: 'prod-1', adminKey: 'admin-key-0123456789', trustProxy: ['uniquelocal'] });
    expect(config.vastai.apiKey).toBeNull();
    expect(containerEnv('infra/docker-compose.ha.yml', 'server-2', shell)).toEqual(containerEnv('infra/docker-compose.ha.yml', 'server-1', shell));
  });
});
