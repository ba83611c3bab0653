// Serving the console's build: the page (SPA fallback, no caching, strict CSP), hashed assets
// (cached for good), 404 for missing files and paths outside the build, 503 when it is not built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '@gpu-shopper/domain';
import { openDatabase, type Orm } from '@gpu-shopper/db';
import { CallerCache, InventoryService } from '@gpu-shopper/services';
import { silentLogger } from '../logger';
import { buildHttpServer } from './build-server';
import { CONSOLE_CSP, defaultConsoleDir, registerConsole } from './console-assets';

const PAGE = '<!doctype html><title>console</title><script type="module" src="/console/assets/index-Ab12Cd.js"></script>';

describe('console assets', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-assets-'));
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), PAGE);
    writeFileSync(join(dir, 'dist', 'assets', 'index-Ab12Cd.js'), 'console.log("console")');
    writeFileSync(join(dir, 'dist', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'secret.txt'), 'outside the build');
    app = Fastify();
    registerConsole(app, { dir: join(dir, 'dist') });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/console', '/console/', '/console/sessions/ses_123', '/console/costs?period=day'])('answers %s with the page, revalidated each time and under a strict CSP', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(PAGE);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("default-src 'self'");
    expect(CONSOLE_CSP).not.toMatch(/https?:|unsafe-eval|script-src[^;]*unsafe-inline/);
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('serves hashed assets as immutable and other files for an hour, with their types', async () => {
    const script = await app.inject({ method: 'GET', url: '/console/assets/index-Ab12Cd.js' });
    expect(script.statusCode).toBe(200);
    expect(script.body).toBe('console.log("console")');
    expect(script.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ method: 'GET', url: '/console/favicon.svg' });
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');
    expect((await app.inject({ method: 'HEAD', url: '/console/assets/index-Ab12Cd.js' })).statusCode).toBe(200);
  });

  it('answers 404, not the page, for a missing file or one outside the build', async () => {
    for (const url of ['/console/assets/gone-Zz99.js', '/console/missing.css', '/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/assets/%2e%2e%2f%2e%2e%2fsecret.txt']) {
      const response = await app.inject({ method: 'GET', url });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 404 });
      expect(response.body).not.toContain('outside the build');
    }
    expect((await app.inject({ method: 'GET', url: '/console/missing.css' })).headers['cache-control']).toBe('no-store');
  });

  it('answers 503 with how to build it when the console is not built', async () => {
    const bare = Fastify();
    registerConsole(bare, { dir: join(dir, 'not-built') });
    const response = await bare.inject({ method: 'GET', url: '/console/sessions' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('npm run build -w @gpu-shopper/console');
    expect((await bare.inject({ method: 'GET', url: '/console/assets/index-Ab12Cd.js' })).statusCode).toBe(404);
    await bare.close();
  });

  it('looks for the build beside the server package by default, and is part of the server', async () => {
    expect(defaultConsoleDir()).toBe(join(__dirname, '..', '..', '..', 'console', 'dist'));
    const orm: Orm = await openDatabase({ dbPath: ':memory:' });
    const server = buildHttpServer({ orm, clock: systemClock, inventory: new InventoryService({ adapters: [], clock: systemClock }), callerCache: new CallerCache(systemClock), provisioner: null }, silentLogger, undefined, { consoleDir: join(dir, 'dist') });
    try {
      const response = await server.inject({ method: 'GET', url: '/console/inventory' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe(PAGE);
    } finally {
      await server.close();
      await orm.close();
    }
  });
});
