// `provision` shows the offer the server would rent and the projected cost, asks on a terminal
// (y/N; --yes skips it), and never asks without one — then it rents as it always did.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import type { RunningServer } from '@gpu-shopper/server';
import { runCaptured, startTestServer, TEST_ADMIN_KEY } from '../../test-support/harness';
import { scriptedProvisioner, type ScriptedProvisioner } from '../../test-support/sessions';

describe('provision: preview and confirmation', () => {
  let server: RunningServer;
  let atlasKey: string;
  let provisioner: ScriptedProvisioner;
  const atlas = (extra: object = {}) => ({ env: { GPU_SHOPPER_URL: server.url, GPU_SHOPPER_API_KEY: atlasKey }, pollIntervalMs: 10, ...extra });
  const terminal = (answer: string) => atlas({ stdin: Readable.from([answer]), tty: { stdin: true, stderr: true } });

  beforeAll(async () => {
    server = await startTestServer();
    const created = await runCaptured(['keys', 'create', '--consumer=atlas', '--json'], { env: { GPU_SHOPPER_URL: server.url, GPU_SHOPPER_API_KEY: TEST_ADMIN_KEY } });
    atlasKey = (JSON.parse(created.stdout) as { key: string }).key;
  });
  afterEach(() => {
    server.deps.provisioner = null;
  });
  afterAll(() => server?.close());

  const useProvisioner = () => {
    provisioner = scriptedProvisioner(server, { afterMs: 10_000 });
    server.deps.provisioner = provisioner;
  };

  it('on a terminal shows the cheapest match and the projected cost, and rents nothing on "n"', async () => {
    useProvisioner();
    const run = await runCaptured(['provision', '--gpu=4090', '--hours=2'], terminal('n\n'));
    expect(run).toMatchObject({ exitCode: 1, stdout: '' });
    expect(run.stderr).toBe(
      [
        'Offer:      vastai:1: 1x RTX 4090 (24 GB) on vastai, Texas, US, 98.7% reliable',
        'Price:      $0.300/h all-in (compute and storage)',
        'Projected:  $0.60 for the 2 h reserved (less if you finish early)',
        'Failover:   the next cheapest match, at any price (--max-price caps it)',
        'Rent it? (y/N) Not provisioned.',
        '',
      ].join('\n'),
    );
    expect(provisioner.requests).toEqual([]);
  });

  it('rents on "y", and with --yes asks nothing', async () => {
    useProvisioner();
    const yes = await runCaptured(['provision', '--gpu=4090', '--hours=3', '--max-price=0.5'], terminal('y\n'));
    expect(yes.exitCode).toBe(0);
    expect(yes.stderr).toContain('Projected:  $0.90 for the 3 h reserved');
    expect(yes.stderr).toContain('Failover:   the next cheapest match, at up to $0.500/h');
    expect(yes.stdout).toMatch(/^Session ses_\S+ is provisioning/);

    const skipped = await runCaptured(['provision', '--offer=vastai:2', '--hours=1', '--yes'], terminal(''));
    expect(skipped.exitCode).toBe(0);
    expect(skipped.stderr).toContain('Offer:      vastai:2: 2x H100 SXM (80 GB) on vastai, NL');
    expect(skipped.stderr).toContain('Projected:  $4.80 for the 1 h reserved');
    expect(skipped.stderr).toContain('Failover:   another H100 SXM at up to $4.800/h');
    expect(skipped.stderr).not.toContain('Rent it?');
    expect(provisioner.requests.map((request) => request.hours)).toEqual([3, 1]);
  });

  it('never asks without a terminal: it notes the offer and rents, as before', async () => {
    useProvisioner();
    const piped = await runCaptured(['provision', '--gpu=4090', '--hours=1'], atlas({ stdin: Readable.from(['n\n']) }));
    expect(piped.exitCode).toBe(0);
    expect(piped.stderr).toContain('Offer:      vastai:1');
    expect(piped.stderr).not.toContain('Rent it?');
    // Scripts asking for JSON get exactly what they got before: no lookup, nothing on stderr.
    const json = await runCaptured(['provision', '--gpu=4090', '--hours=1', '--json'], atlas());
    expect(json).toMatchObject({ exitCode: 0, stderr: '' });
    expect(JSON.parse(json.stdout)).toMatchObject({ state: 'provisioning' });
    expect(provisioner.requests).toHaveLength(2);
  });

  it('leaves the answer to the server when nothing on the menu matches', async () => {
    useProvisioner();
    const run = await runCaptured(['provision', '--gpu=B200', '--hours=1'], terminal('y\n'));
    expect(run.stderr).not.toContain('Rent it?');
    expect(run.exitCode).toBe(0); // the scripted provisioner rents anything; the real one answers 409
  });
});
