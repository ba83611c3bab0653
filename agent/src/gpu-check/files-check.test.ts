// The file round trip against a real (in-process, GPU-less) agent, with a few MiB instead of 1 GiB.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, TEST_TOKEN } from '../../test/test-support/agent-harness';
import type { TestAgent } from '../../test/test-support/agent-harness';
import { generatedContent, runFileRoundTrip } from './files-check';

const MiB = 1024 * 1024;

describe('runFileRoundTrip', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ maxUploadBytes: 8 * MiB });
  });
  afterAll(async () => {
    await agent.dispose();
  });

  it('uploads, downloads and compares the file, with MB/s each way', async () => {
    const size = 3 * MiB + 17;
    const row = await runFileRoundTrip({ agentUrl: agent.url, token: TEST_TOKEN, sizeBytes: size, remotePath: 'gpu-check/round trip.bin', now: () => performance.now() });
    expect(row).toMatchObject({ check: 'file round trip', result: 'ok', figure: expect.stringMatching(/^up [\d.]+ MB\/s, down [\d.]+ MB\/s$/), detail: expect.stringMatching(/^3\.0 MiB up and down, sha256 match/) });
    const stored = readFileSync(path.join(agent.runtime.config.workspaceRoot, 'gpu-check/round trip.bin'));
    expect(stored.length).toBe(size);
    // Block numbers are stamped in, so no two blocks are alike even though the random block is reused.
    expect(stored.readUInt32BE(MiB)).toBe(1);
    expect(row.detail).toContain(createHash('sha256').update(stored).digest('hex').slice(0, 16));
  });

  it('fails with the agent\'s message when the upload is refused or the token is wrong', async () => {
    const tooBig = await runFileRoundTrip({ agentUrl: agent.url, token: TEST_TOKEN, sizeBytes: 9 * MiB, remotePath: 'big.bin', now: () => performance.now() });
    expect(tooBig).toMatchObject({ result: 'FAIL', detail: expect.stringMatching(/^9\.0 MiB: (upload answered 413: Upload exceeds the limit of 8388608 bytes|.*(EPIPE|ECONNRESET|socket hang up).*)$/) });
    const wrongToken = await runFileRoundTrip({ agentUrl: agent.url, token: 'not-the-token-at-all', sizeBytes: 1024, remotePath: 'x.bin', now: () => performance.now() });
    expect(wrongToken).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('upload answered 401: Missing or invalid bearer token') });
    expect(wrongToken.detail).not.toContain('not-the-token-at-all');
  });

  it('generates exactly the requested size', async () => {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of generatedContent(MiB + 5, hash)) bytes += (chunk as Buffer).length;
    expect(bytes).toBe(MiB + 5);
  });
});
