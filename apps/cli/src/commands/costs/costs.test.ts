// `gpu-shopper costs --chart`, `--group-by` and `--reconcile`: against a real server (no spend yet)
// and against a canned API answer with spend, to see the bars scaled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '@gpu-shopper/server';
import { createShopperClient, type CostSummary, type ShopperClientOptions } from '@gpu-shopper/sdk';
import { runCaptured, startTestServer, TEST_ADMIN_KEY } from '../../test-support/harness';

/** A client whose every call gets `data` back, as the tRPC endpoint would send it. */
function cannedClient(data: unknown) {
  return (options: ShopperClientOptions) =>
    createShopperClient({ ...options, fetch: async () => new Response(JSON.stringify({ result: { data } }), { headers: { 'content-type': 'application/json' } }) });
}

const SPEND: CostSummary = {
  consumerId: 'con_1',
  period: 'day',
  from: '2026-01-01T00:00:00.000Z',
  to: '2026-01-04T00:00:00.000Z',
  totalUsd: 14,
  accruedAt: '2026-01-04T00:00:00.000Z',
  buckets: [
    { start: '2026-01-01T00:00:00.000Z', costUsd: 2 },
    { start: '2026-01-02T00:00:00.000Z', costUsd: 8 },
    { start: '2026-01-03T00:00:00.000Z', costUsd: 4 },
  ],
};

describe('costs', () => {
  let server: RunningServer;
  let consumerKey: string;
  const as = (apiKey: string) => ({ env: { GPU_SHOPPER_URL: server.url, GPU_SHOPPER_API_KEY: apiKey } });

  beforeAll(async () => {
    server = await startTestServer();
    consumerKey = (JSON.parse((await runCaptured(['keys', 'create', '--consumer=atlas', '--json'], as(TEST_ADMIN_KEY))).stdout) as { key: string }).key;
  });
  afterAll(() => server?.close());

  it('--chart draws a bar per period scaled to the largest, with values and the total, in the given width', async () => {
    const run = await runCaptured(['costs', '--chart'], { env: { GPU_SHOPPER_API_KEY: 'gsc_x' }, columns: 40, createClient: cannedClient(SPEND) });
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Costs per day from 2026-01-01 00:00 UTC to 2026-01-04 00:00 UTC');
    expect(lines.at(-1)).toBe('Total: $14.00');
    const rows = lines.slice(1, -1);
    expect(rows.map((row) => row.slice(0, 10))).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
    expect(rows.map((row) => row.length)).toEqual([40, 40, 40]);
    // 40 columns - 10 (label) - 5 ("$8.00") - 3 = 22 cells for the largest; the others in proportion.
    const cells = rows.map((row) => (row.match(/█/g) ?? []).length);
    expect(cells).toEqual([5, 22, 11]);
    expect(rows[0]).toMatch(/^2026-01-01 │█████▌ +\$2\.00$/);
    expect(rows[1]).toMatch(/ \$8\.00$/);
  });

  it('--chart against the server says when there is nothing to draw; --chart with --json is a usage error', async () => {
    expect((await runCaptured(['costs', '--chart', '--period=hour'], as(consumerKey))).stdout).toMatch(/^Costs per hour\nNo costs in this range\.\nTotal: \$0\.00\n$/);
    expect((await runCaptured(['costs', '--chart', '--json'], as(consumerKey))).exitCode).toBe(2);
  });

  it('--group-by adds the breakdown; --reconcile is for operators', async () => {
    const grouped = await runCaptured(['costs', '--group-by=provider'], as(consumerKey));
    expect(grouped).toMatchObject({ exitCode: 0, stderr: '' });
    expect(grouped.stdout).toMatch(/Total: \$0\.00\n\n(No costs by provider\.|PROVIDER\s+COMPUTE\s+STORAGE\s+TOTAL)/);
    expect((await runCaptured(['costs', '--group-by=region'], as(consumerKey))).exitCode).toBe(2);
    expect((await runCaptured(['costs', '--reconcile'], as(consumerKey))).stderr).toMatch(/^gpu-shopper: not allowed \(403\)/);
    expect(await runCaptured(['costs', '--reconcile'], as(TEST_ADMIN_KEY))).toMatchObject({ exitCode: 0, stdout: 'No reconciliation results yet.\n' });
  });
});
