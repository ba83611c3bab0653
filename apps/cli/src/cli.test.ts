// The CLI against a real server, in-process: tables, --json, filters, keys, sessions, budgets,
// costs, and the one-line errors users see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '@gpu-shopper/server';
import { runCaptured, startTestServer, TEST_ADMIN_KEY } from './test-support/harness';

describe('gpu-shopper against a server', () => {
  let server: RunningServer;
  let consumerKey: string;
  const as = (apiKey: string) => ({ env: { GPU_SHOPPER_URL: server.url, GPU_SHOPPER_API_KEY: apiKey } });
  const consumer = () => as(consumerKey);
  const admin = () => as(TEST_ADMIN_KEY);

  beforeAll(async () => {
    server = await startTestServer();
    const created = await runCaptured(['keys', 'create', '--consumer=atlas', '--json'], admin());
    expect(created.exitCode).toBe(0);
    consumerKey = (JSON.parse(created.stdout) as { key: string }).key;
  });
  afterAll(() => server?.close());

  describe('inventory', () => {
    it('prints an aligned table with a note for the provider that is down', async () => {
      const run = await runCaptured(['inventory'], consumer());
      expect(run).toMatchObject({ exitCode: 0, stderr: '' });
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+PROVIDER\s+GPU\s+VRAM \(GB\)\s+\$\/H\s+REGION\s+RELIAB\s+AVAIL$/);
      expect(lines[1]).toMatch(/^vastai:1\s+vastai\s+1x RTX 4090\s+24\s+0\.300\s+Texas, US\s+98\.7%\s+72h$/);
      expect(lines[2]).toMatch(/^vastai:2\s+vastai\s+2x H100 SXM\s+80\s+4\.800\s+NL\s+99%\s+-$/);
      // Columns line up: every row's price ends where the header's "$/H" ends.
      const priceEnd = lines[0]!.indexOf('$/H') + 3;
      expect(lines[1]!.slice(priceEnd - 5, priceEnd)).toBe('0.300');
      expect(lines[2]!.slice(priceEnd - 5, priceEnd)).toBe('4.800');
      expect(lines[3]).toBe('2 offers match (of 2 offers the providers list).');
      expect(lines.at(-1)).toBe('note: no offers from tensordock yet (HTTP 503)');
    });

    it('says when more offers match than are shown (the API counts none: it asks for one more than it shows)', async () => {
      const run = await runCaptured(['inventory', '--limit=1'], consumer());
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines[1]).toMatch(/^vastai:1\s/);
      expect(lines[2]).toBe('Showing the first matching offer, cheapest first; more match (raise --limit, up to 1000) (of 2 offers the providers list).');
      expect((await runCaptured(['inventory', '--limit=1', '--sort=vram'], consumer())).stdout).toContain('Showing the first matching offer, most VRAM first; more match');
      expect((await runCaptured(['inventory', '--limit=2'], consumer())).stdout).toContain('\n2 offers match (of 2 offers the providers list).\n');
      expect((await runCaptured(['inventory', '--gpu=4090'], consumer())).stdout).toContain('\n1 offer matches (of 2 offers the providers list).\n');
    });

    it('passes filters through: --gpu=4090 matches "RTX 4090", --max-price cuts the rest', async () => {
      const byGpu = await runCaptured(['inventory', '--gpu=4090', '--json'], consumer());
      expect((JSON.parse(byGpu.stdout) as { offers: { id: string }[] }).offers.map((offer) => offer.id)).toEqual(['vastai:1']);
      const byPrice = await runCaptured(['inventory', '--max-price', '0.50', '--provider=vastai'], consumer());
      expect(byPrice.stderr).toBe('');
      expect(byPrice.stdout).toContain('vastai:1');
      expect(byPrice.stdout).not.toContain('vastai:2');
    });

    it('prints the raw response, pretty, and nothing else with --json', async () => {
      const run = await runCaptured(['inventory', '--sort=vram', '--limit=1', '--json'], consumer());
      const body = JSON.parse(run.stdout) as { offers: { id: string }[]; providers: { provider: string; status: string }[] };
      expect(body.offers.map((offer) => offer.id)).toEqual(['vastai:2']);
      expect(body.providers).toContainEqual(expect.objectContaining({ provider: 'tensordock', status: 'empty' }));
      expect(run.stdout).toBe(`${JSON.stringify(body, null, 2)}\n`);
    });

    it('refuses a non-number --max-price in plain words naming the option (exit 2)', async () => {
      const run = await runCaptured(['inventory', '--max-price=abc'], consumer());
      expect(run).toMatchObject({ exitCode: 2, stdout: '' });
      expect(run.stderr).toBe('gpu-shopper: --max-price must be a number (got "abc")\n');
    });

    it('reports a value the server rejects as one line naming the field (exit 1)', async () => {
      const run = await runCaptured(['inventory', '--max-price=5000'], consumer());
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(/^gpu-shopper: max_price: .*1000.*\n$/);
    });
  });

  describe('errors', () => {
    it('says the key was rejected on 401, in one line', async () => {
      const run = await runCaptured(['sessions'], as('gsc_not-a-real-key'));
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(/^gpu-shopper: the API key was rejected \(401\): .+\n$/);
      expect(run.stderr.split('\n')).toHaveLength(2);
    });

    it('prints API errors as JSON on stderr with --json', async () => {
      const run = await runCaptured(['session', 'ses_missing', '--json'], consumer());
      expect(run).toMatchObject({ exitCode: 1, stdout: '' });
      expect(JSON.parse(run.stderr)).toEqual({ error: { code: 'NOT_FOUND', message: 'session ses_missing not found (404)', field: null } });
      const invalid = JSON.parse((await runCaptured(['inventory', '--max-price=5000', '--json'], consumer())).stderr) as { error: { code: string; field: string } };
      expect(invalid.error).toMatchObject({ code: 'BAD_REQUEST', field: 'max_price' });
    });

    it('takes --server-url and --api-key on every command, over the environment and the config file', async () => {
      const wrong = { env: { GPU_SHOPPER_URL: 'http://127.0.0.1:9', GPU_SHOPPER_API_KEY: 'gsc_not-a-real-key' } };
      expect(await runCaptured(['sessions', `--server-url=${server.url}`, `--api-key=${consumerKey}`], wrong)).toMatchObject({ exitCode: 0, stderr: '' });
      expect((await runCaptured(['budgets', 'list', '--server-url', server.url], wrong)).stderr).toContain('the API key was rejected (401)');
      const shown = JSON.parse((await runCaptured(['config', 'get', '--json', `--server-url=${server.url}/`, `--api-key=${consumerKey}`], wrong)).stdout) as Record<string, unknown>;
      expect(shown).toMatchObject({ serverUrl: server.url, serverUrlSource: 'flag', apiKeySource: 'flag' });
      expect((await runCaptured(['config', 'get', `--api-key=${consumerKey}`], wrong)).stdout).toContain('(from the command line)');
    });

    it('says when no key is set at all', async () => {
      const run = await runCaptured(['sessions'], { env: { GPU_SHOPPER_URL: server.url } });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain('no API key is set');
    });

    it('says an unreachable server cannot be reached: one line, exit 1, no stack', async () => {
      const run = await runCaptured(['inventory'], { env: { GPU_SHOPPER_URL: 'http://127.0.0.1:9', GPU_SHOPPER_API_KEY: 'gsc_x' } });
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toBe('gpu-shopper: cannot reach the server at http://127.0.0.1:9 (is it running? set it with "gpu-shopper config set server-url")\n');
      expect(run.stdout).toBe('');
    });

    it('names unknown commands and missing arguments as usage errors', async () => {
      expect(await runCaptured(['frobnicate'])).toMatchObject({ exitCode: 2, stderr: 'gpu-shopper: unknown command "frobnicate" (see "gpu-shopper --help")\n' });
      const missing = await runCaptured(['extend', 'ses_1'], consumer());
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr).toMatch(/^gpu-shopper: .*--hours.*\n$/);
    });
  });

  describe('keys', () => {
    it('creates a key shown once, lists keys by prefix only, and revokes one', async () => {
      const created = await runCaptured(['keys', 'create', '--consumer=borealis'], admin());
      expect(created.exitCode).toBe(0);
      const key = /^\s+(\S+)$/m.exec(created.stdout)?.[1] ?? '';
      expect(key.length).toBeGreaterThan(20);
      expect(created.stdout).toContain('shown only this once');

      const listed = await runCaptured(['keys', 'list'], admin());
      expect(listed.stdout).toMatch(/^ID\s+ROLE\s+CONSUMER\s+PREFIX/);
      expect(listed.stdout).toContain('borealis');
      expect(listed.stdout).not.toContain(key);
      expect(listed.stdout).not.toContain(TEST_ADMIN_KEY);

      const { keys } = JSON.parse((await runCaptured(['keys', 'list', '--json'], admin())).stdout) as { keys: { id: string; consumerName: string | null }[] };
      const id = keys.find((entry) => entry.consumerName === 'borealis')?.id ?? '';
      const revoked = await runCaptured(['keys', 'revoke', id], admin());
      expect(revoked).toMatchObject({ exitCode: 0, stdout: expect.stringContaining(`revoked key ${id}`) });
      expect((await runCaptured(['sessions'], as(key))).stderr).toContain('the API key was rejected (401)');
    });

    it('refuses key management to a consumer', async () => {
      const run = await runCaptured(['keys', 'list'], consumer());
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(/^gpu-shopper: not allowed \(403\): /);
    });
  });

  describe('sessions', () => {
    it('says there are no live sessions, and prints an empty JSON list', async () => {
      expect(await runCaptured(['sessions'], consumer())).toMatchObject({ exitCode: 0, stdout: 'No live sessions (use --all to include ended ones).\n' });
      expect(JSON.parse((await runCaptured(['sessions', '--all', '--json'], consumer())).stdout)).toEqual({ sessions: [], nextCursor: null });
    });

    it('reports an unknown session id as not found', async () => {
      const run = await runCaptured(['session', 'ses_missing'], consumer());
      expect(run).toMatchObject({ exitCode: 1, stdout: '', stderr: 'gpu-shopper: session ses_missing not found (404)\n' });
    });
  });

  describe('budgets and costs', () => {
    it('sets, lists and deletes a budget', async () => {
      const set = await runCaptured(['budgets', 'set', '--limit=100', '--period=month', '--thresholds=50,80,100', '--webhook=https://hooks.example.com/gpu', '--action=block', '--json'], consumer());
      expect(set.exitCode).toBe(0);
      const budget = JSON.parse(set.stdout) as { id: string; thresholdsPercent: number[]; action: string };
      expect(budget).toMatchObject({ thresholdsPercent: [50, 80, 100], action: 'block' });

      const listed = await runCaptured(['budgets', 'list'], consumer());
      expect(listed.stdout).toMatch(/^ID\s+CONSUMER\s+SET BY\s+LIMIT\s+PERIOD\s+THRESHOLDS\s+ACTION\s+WEBHOOK\n/);
      expect(listed.stdout).toMatch(new RegExp(`${budget.id}\\s+\\S+\\s+consumer\\s+\\$100\\.00\\s+month\\s+50%,80%,100%\\s+block\\s+https://hooks.example.com/gpu`));
      // Set again for the same period: the same budget, updated.
      const updated = await runCaptured(['budgets', 'set', '--limit=120', '--period=month'], consumer());
      expect(updated.stdout).toMatch(new RegExp(`^updated budget ${budget.id}\n`));
      expect(updated.stdout).toMatch(/\$120\.00\s+month\s+50%,80%,100%\s+block/);

      expect((await runCaptured(['budgets', 'delete', budget.id], consumer())).stdout).toBe(`deleted budget ${budget.id}\n`);
      expect((await runCaptured(['budgets'], consumer())).stdout).toBe('No budgets.\n');
    });

    it('refuses to let a consumer delete or overwrite a budget an operator set (403 naming why)', async () => {
      const set = await runCaptured(['budgets', 'set', '--consumer=atlas', '--limit=20', '--period=day', '--action=shutdown'], admin());
      expect(set).toMatchObject({ exitCode: 0, stderr: '' });
      const id = /^created budget (\S+)\n/.exec(set.stdout)?.[1] ?? '';
      // The consumer by name, not its internal id: the operator's key list names it, the consumer knows its own.
      expect(set.stdout).toMatch(new RegExp(`${id}\\s+atlas\\s+operator\\s+\\$20\\.00\\s+day`));
      expect((await runCaptured(['budgets'], consumer())).stdout).toMatch(new RegExp(`${id}\\s+atlas\\s+operator`));
      expect(JSON.parse((await runCaptured(['budgets', '--json'], consumer())).stdout)).toMatchObject({ budgets: [expect.objectContaining({ consumerId: expect.stringMatching(/^con_/) })] });
      const deleting = await runCaptured(['budgets', 'delete', id], consumer());
      expect(deleting).toMatchObject({ exitCode: 1, stdout: '' });
      expect(deleting.stderr).toBe(`gpu-shopper: not allowed (403): budget ${id} (day) was set by an operator: a consumer key can read it but cannot delete it; ask an operator\n`);
      expect((await runCaptured(['budgets', 'set', '--limit=500', '--period=day'], consumer())).stderr).toMatch(/^gpu-shopper: not allowed \(403\): .*cannot change it/);
      expect((await runCaptured(['budgets', 'delete', id], admin())).stdout).toBe(`deleted budget ${id}\n`);
    });

    it('rejects a bad --action before calling the server', async () => {
      const run = await runCaptured(['budgets', 'set', '--limit=5', '--action=explode'], consumer());
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain('--action');
    });

    it('shows costs with a total', async () => {
      const run = await runCaptured(['costs', '--period=month'], consumer());
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain('Total: $0.00');
      expect(JSON.parse((await runCaptured(['costs', '--json'], consumer())).stdout)).toMatchObject({ period: 'day', totalUsd: 0 });
    });
  });
});
