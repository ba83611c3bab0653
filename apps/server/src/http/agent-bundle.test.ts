import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_BUNDLE_ROUTE, readAgentBundle, registerAgentBundle } from './agent-bundle';

describe('GET /node/agent.js', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('serves the built bundle with its SHA-256 as the ETag, and answers 304 to a node that has it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-bundle-'));
    dirs.push(dir);
    const source = 'console.log("agent");\n';
    writeFileSync(join(dir, 'agent.js'), source);
    const bundle = readAgentBundle(join(dir, 'agent.js'));
    expect(bundle?.sha256).toBe(createHash('sha256').update(source).digest('hex'));
    const app = Fastify();
    registerAgentBundle(app, () => bundle);
    const response = await app.inject({ method: 'GET', url: AGENT_BUNDLE_ROUTE });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(source);
    expect(response.headers['content-type']).toMatch(/^application\/javascript/);
    expect(response.headers.etag).toBe(`"${bundle!.sha256}"`);
    expect((await app.inject({ method: 'GET', url: AGENT_BUNDLE_ROUTE, headers: { 'if-none-match': `"${bundle!.sha256}"` } })).statusCode).toBe(304);
    await app.close();
  });

  it('is not served (404) when the agent is not built', async () => {
    expect(readAgentBundle(join(tmpdir(), 'no-such-dir-for-agent', 'agent.js'))).toBeNull();
    const app = Fastify();
    registerAgentBundle(app, () => null);
    expect((await app.inject({ method: 'GET', url: AGENT_BUNDLE_ROUTE })).statusCode).toBe(404);
    await app.close();
  });
});
