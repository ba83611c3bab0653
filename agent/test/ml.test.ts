// ML job control over HTTP: POST /node/v1/ml/command and the streamed log follow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent } from './test-support/agent-harness';
import type { TestAgent } from './test-support/agent-harness';

const TRAINER = `
console.log('epoch 0');
process.on('SIGUSR1', () => console.log('checkpoint saved'));
process.on('SIGTERM', () => { console.log('bye'); process.exit(143); });
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => console.log('stdin: ' + d.trim()));
setInterval(() => {}, 1000);
`;

describe('ML jobs over HTTP', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ workload: 'training' });
  });
  afterAll(() => agent.dispose());

  const command = async (body: Record<string, unknown>) => {
    const response = await agent.call('/node/v1/ml/command', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { job?: { jobId: string; state: string; exitCode: number | null }; lines?: { text: string }[] } };
  };
  const logText = async (jobId: string) => ((await command({ command: 'logs', jobId })).body.lines ?? []).map((line) => line.text);
  const eventually = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 200; i += 1) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('condition not met');
  };

  it('start, signal, stdin, logs, status, stop', async () => {
    const started = await command({ command: 'start', argv: [process.execPath, '-e', TRAINER], env: { RUN: '1' }, cwd: '' });
    expect(started.status).toBe(200);
    const jobId = started.body.job!.jobId;
    expect(jobId).toMatch(/^job_/);
    await eventually(async () => (await logText(jobId)).includes('epoch 0'));
    expect((await command({ command: 'signal', jobId, signal: 'SIGUSR1' })).status).toBe(200);
    await eventually(async () => (await logText(jobId)).includes('checkpoint saved'));
    expect((await command({ command: 'stdin', jobId, line: 'lr=0.1' })).status).toBe(200);
    await eventually(async () => (await logText(jobId)).includes('stdin: lr=0.1'));
    const listed = await command({ command: 'status' });
    expect((listed.body.jobs as { jobId: string }[]).map((job) => job.jobId)).toContain(jobId);
    const stopped = await command({ command: 'stop', jobId, graceSeconds: 2 });
    expect(stopped.body.job).toMatchObject({ state: 'exited', exitCode: 143 });
    expect((await command({ command: 'status', jobId })).body.job).toMatchObject({ exitCode: 143 });
  });

  it('follows logs as Server-Sent Events, ending with the exit', async () => {
    const started = await command({ command: 'start', argv: [process.execPath, '-e', `for (let i = 0; i < 3; i++) console.log('line ' + i); setTimeout(() => process.exit(7), 100)`] });
    const jobId = started.body.job!.jobId;
    const response = await agent.call(`/node/v1/ml/jobs/${jobId}/logs/follow?tailLines=10`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    expect(text).toContain('"text":"line 2"');
    expect(text).toMatch(/event: exit\ndata: .*"exitCode":7/);
  });

  it('keeps a job running when the client that followed it disconnects', async () => {
    const started = await command({ command: 'start', argv: [process.execPath, '-e', 'setInterval(() => console.log("tick"), 20)'] });
    const jobId = started.body.job!.jobId;
    const abort = new AbortController();
    const response = await agent.call(`/node/v1/ml/jobs/${jobId}/logs/follow`, { signal: abort.signal });
    await response.body!.getReader().read();
    abort.abort();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await command({ command: 'status', jobId })).body.job?.state).toBe('running');
    await command({ command: 'stop', jobId, graceSeconds: 1 });
  });

  it('reports errors: missing fields, unknown job, finished job, cwd outside the workspace, no token', async () => {
    const missing = await command({ command: 'signal', jobId: 'job_x' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'signal' } });
    expect((await command({ command: 'stop', jobId: 'job_unknown' })).status).toBe(404);
    const done = await command({ command: 'start', argv: [process.execPath, '-e', ''] });
    await eventually(async () => (await command({ command: 'status', jobId: done.body.job!.jobId })).body.job?.state === 'exited');
    expect((await command({ command: 'stdin', jobId: done.body.job!.jobId, line: 'x' })).status).toBe(409);
    const escape = await command({ command: 'start', argv: ['ls'], cwd: '../..' });
    expect(escape.status).toBe(400);
    expect((await agent.call('/node/v1/ml/jobs/job_unknown/logs/follow')).status).toBe(404);
    const anonymous = await fetch(`${agent.url}/node/v1/ml/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"command":"status"}' });
    expect(anonymous.status).toBe(401);
    expect((await fetch(`${agent.url}/node/v1/ml/jobs/job_x/logs/follow`)).status).toBe(401);
  });
});
