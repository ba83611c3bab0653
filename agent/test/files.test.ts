// Files over HTTP: upload, download (with Range), list; errors, auth and hostile paths.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_PATHS } from '../src/files/hostile-paths';
import { startTestAgent } from './test-support/agent-harness';
import type { TestAgent } from './test-support/agent-harness';

/** GET with the path sent exactly as given; resolves with the status code. */
function rawGet(agent: TestAgent, rawPath: string): Promise<number> {
  const { hostname, port } = new URL(agent.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: rawPath, method: 'GET', headers: agent.auth }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

describe('files over HTTP', () => {
  let agent: TestAgent;
  let outside: string;
  let root: string;
  beforeAll(async () => {
    agent = await startTestAgent({ maxUploadBytes: 64 * 1024 });
    root = agent.runtime.config.workspaceRoot;
    outside = mkdtempSync(path.join(tmpdir(), 'agent-outside-'));
    writeFileSync(path.join(outside, 'passwd'), 'secret');
    mkdirSync(path.join(root, 'nested'));
    symlinkSync(outside, path.join(root, 'link-out'));
    symlinkSync('../..', path.join(root, 'nested/link-up'));
    symlinkSync(path.join(outside, 'missing-dir'), path.join(root, 'dangling-out'));
  });
  afterAll(async () => {
    await agent.dispose();
    rmSync(outside, { recursive: true, force: true });
  });

  const upload = (target: string, body: NonNullable<RequestInit['body']>, headers: Record<string, string> = {}) =>
    agent.call(`/node/v1/files/upload?path=${encodeURIComponent(target)}`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream', ...headers } });

  it('uploads, lists and downloads a file', async () => {
    const content = 'x'.repeat(1000) + 'end';
    const uploaded = await upload('data/run-1/weights.bin', content);
    expect(uploaded.status).toBe(201);
    expect(await uploaded.json()).toEqual({ path: 'data/run-1/weights.bin', sizeBytes: 1003 });
    expect(readFileSync(path.join(root, 'data/run-1/weights.bin'), 'utf8')).toBe(content);

    const listing = await agent.call('/node/v1/files?path=data/run-1');
    expect(listing.status).toBe(200);
    expect(await listing.json()).toMatchObject({ path: 'data/run-1', entries: [{ name: 'weights.bin', path: 'data/run-1/weights.bin', type: 'file', sizeBytes: 1003 }] });

    const download = await agent.call('/node/v1/files/download/data/run-1/weights.bin');
    expect(download.status).toBe(200);
    expect(download.headers.get('accept-ranges')).toBe('bytes');
    expect(await download.text()).toBe(content);
    expect(agent.runtime.activity.snapshot().fileTransfers).toBeGreaterThanOrEqual(2);
  });

  it('serves byte ranges', async () => {
    await upload('range.txt', '0123456789');
    const partial = await agent.call('/node/v1/files/download/range.txt', { headers: { range: 'bytes=2-5' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await partial.text()).toBe('2345');
    const suffix = await agent.call('/node/v1/files/download/range.txt', { headers: { range: 'bytes=-3' } });
    expect(await suffix.text()).toBe('789');
    const bad = await agent.call('/node/v1/files/download/range.txt', { headers: { range: 'bytes=50-' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */10');
  });

  it('lists the root and overwrites atomically', async () => {
    await upload('same.txt', 'one');
    await upload('same.txt', 'two');
    expect(readFileSync(path.join(root, 'same.txt'), 'utf8')).toBe('two');
    const listing = (await (await agent.call('/node/v1/files')).json()) as { path: string; entries: { name: string }[] };
    expect(listing.path).toBe('');
    expect(listing.entries.map((entry) => entry.name)).toContain('same.txt');
    expect(listing.entries.some((entry) => entry.name.includes('.upload-'))).toBe(false);
  });

  it('refuses uploads over the size limit, declared or streamed, and keeps no partial file', async () => {
    const declared = await upload('big.bin', Buffer.alloc(65 * 1024));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', data: { httpStatus: 413 } });
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i += 1) controller.enqueue(new Uint8Array(16 * 1024));
        controller.close();
      },
    });
    const streamed = await agent
      .call('/node/v1/files/upload?path=big2.bin', { method: 'POST', body: chunks, headers: { 'content-type': 'application/octet-stream' }, duplex: 'half' } as RequestInit)
      .then((response) => response.status)
      .catch(() => 'connection closed');
    expect([413, 'connection closed']).toContain(streamed);
    const names = ((await (await agent.call('/node/v1/files')).json()) as { entries: { name: string }[] }).entries.map((entry) => entry.name);
    expect(names.filter((name) => name.startsWith('big'))).toEqual([]);
  });

  it('answers errors in one JSON shape', async () => {
    const missing = await agent.call('/node/v1/files/download/nope.txt');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND', data: { code: 'NOT_FOUND', httpStatus: 404 } });
    const directory = await agent.call('/node/v1/files/download/nested');
    expect(directory.status).toBe(400);
    const noPath = await agent.call('/node/v1/files/upload', { method: 'POST', body: 'x' });
    expect(await noPath.json()).toEqual({ message: 'path is required', code: 'BAD_REQUEST', data: { code: 'BAD_REQUEST', httpStatus: 400, field: 'path', fieldErrors: null } });
    const notDir = await agent.call('/node/v1/files?path=nothing-here');
    expect(notDir.status).toBe(404);
    const ontoDir = await upload('nested', 'x');
    expect(ontoDir.status).toBe(409);
    await upload('plain.txt', 'x');
    const underFile = await upload('plain.txt/child.txt', 'x');
    expect(underFile.status).toBe(409);
    expect(await underFile.json()).toMatchObject({ code: 'CONFLICT', data: { field: 'path' } });
  });

  it('requires the session token on every file route', async () => {
    for (const [method, route] of [
      ['GET', '/node/v1/files'],
      ['GET', '/node/v1/files/download/range.txt'],
      ['POST', '/node/v1/files/upload?path=x.txt'],
    ] as const) {
      const anonymous = await fetch(`${agent.url}${route}`, { method, ...(method === 'POST' ? { body: 'x' } : {}) });
      expect(anonymous.status).toBe(401);
      const wrong = await fetch(`${agent.url}${route}`, { method, headers: { authorization: 'Bearer wrong-token' }, ...(method === 'POST' ? { body: 'x' } : {}) });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ message: 'Missing or invalid bearer token', code: 'UNAUTHORIZED', data: { code: 'UNAUTHORIZED', httpStatus: 401, field: null, fieldErrors: null } });
    }
  });

  it(`refuses all ${HOSTILE_PATHS.length} hostile paths with 400 on list, upload and download`, async () => {
    for (const hostile of HOSTILE_PATHS) {
      const encoded = encodeURIComponent(hostile);
      const list = await agent.call(`/node/v1/files?path=${encoded}`);
      const put = await upload(hostile, 'pwned');
      // fetch would normalize "..", "%2e%2e" and "//" in the URL away; send the request line verbatim.
      const download = await rawGet(agent, `/node/v1/files/download/${hostile.split('/').map(encodeURIComponent).join('/')}`);
      const literal = hostile.includes('\0') ? 400 : await rawGet(agent, `/node/v1/files/download/${hostile.replace(/\\/g, '%5C')}`);
      expect({ hostile, list: list.status, upload: put.status, download, literal }).toEqual({ hostile, list: 400, upload: 400, download: 400, literal: 400 });
    }
    expect(readFileSync(path.join(outside, 'passwd'), 'utf8')).toBe('secret');
  });
});
