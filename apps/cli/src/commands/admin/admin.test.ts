// Operator and webhook commands against a real server: orphans, alerts, provider keys through
// `config set/get`, and a consumer's webhook (secret shown once) with its delivery log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import type { RunningServer } from '@gpu-shopper/server';
import { runCaptured, startTestServer, TEST_ADMIN_KEY } from '../../test-support/harness';
import { enableWebhooks } from '../../test-support/sessions';

describe('operator and webhook commands', () => {
  let server: RunningServer;
  let consumerKey: string;
  const as = (apiKey: string, extra: object = {}) => ({ env: { GPU_SHOPPER_URL: server.url, GPU_SHOPPER_API_KEY: apiKey }, ...extra });
  const consumer = (extra: object = {}) => as(consumerKey, extra);
  const admin = (extra: object = {}) => as(TEST_ADMIN_KEY, extra);

  beforeAll(async () => {
    server = await startTestServer();
    consumerKey = (JSON.parse((await runCaptured(['keys', 'create', '--consumer=atlas', '--json'], admin())).stdout) as { key: string }).key;
  });
  afterAll(() => server?.close());

  describe('orphans and alerts', () => {
    it('say when there are none, and print empty lists as JSON', async () => {
      expect(await runCaptured(['orphans'], admin())).toMatchObject({ exitCode: 0, stdout: 'No orphaned instances found.\n', stderr: '' });
      expect(await runCaptured(['alerts', '--kind=heartbeat_lost', '--since=24h'], admin())).toMatchObject({ exitCode: 0, stdout: 'No alerts.\n' });
      expect(JSON.parse((await runCaptured(['orphans', '--json', '--since=2026-01-01'], admin())).stdout)).toEqual({ orphans: [] });
      expect(JSON.parse((await runCaptured(['alerts', '--json'], admin())).stdout)).toEqual({ alerts: [] });
    });

    it('refuse bad options (exit 2) and consumers (403)', async () => {
      expect((await runCaptured(['alerts', '--kind=fire'], admin())).exitCode).toBe(2);
      const since = await runCaptured(['orphans', '--since=yesterday'], admin());
      expect(since).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('--since must be a date, an ISO timestamp or an age like 24h or 7d') });
      expect((await runCaptured(['orphans'], consumer())).stderr).toMatch(/^gpu-shopper: not allowed \(403\): /);
    });
  });

  describe('provider keys', () => {
    it('refuses a consumer with a 403 line, and never prints the key', async () => {
      const run = await runCaptured(['config', 'set', 'vastai-key', 'vast-secret-123456'], consumer());
      expect(run).toMatchObject({ exitCode: 1, stdout: '' });
      expect(run.stderr).toBe('gpu-shopper: not allowed (403): this needs an operator (admin) key\n');
    });

    it('reads the key from stdin and reports a server without provider-key support in one line', async () => {
      const run = await runCaptured(['config', 'set', 'tensordock-key', '-'], admin({ stdin: Readable.from(['td-secret-token\n']) }));
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toBe('gpu-shopper: provider keys cannot be configured on this server (503)\n');
      expect(run.stderr + run.stdout).not.toContain('td-secret-token');
      expect((await runCaptured(['config', 'set', 'vastai-key', '-'], admin())).stderr).toBe('gpu-shopper: vastai-key: the key is empty\n');
    });

    it('config get shows operators that the server has no provider configuration; consumers see nothing of it', async () => {
      const shown = await runCaptured(['config', 'get'], admin());
      expect(shown.stdout).toContain('providers:   provider configuration not available on this server\n');
      expect(JSON.parse((await runCaptured(['config', 'get', '--json'], admin())).stdout)).toMatchObject({ apiKeySet: true, providers: null });
      const asConsumer = await runCaptured(['config', 'get'], consumer());
      expect(asConsumer).toMatchObject({ exitCode: 0, stderr: '' });
      expect(asConsumer.stdout).not.toContain('providers');
      expect(JSON.parse((await runCaptured(['config', 'get', '--json'], consumer())).stdout)).not.toHaveProperty('providers');
    });
  });

  describe('webhook', () => {
    it('sets a webhook (secret shown once), lists deliveries, clears it', async () => {
      enableWebhooks(server);
      const set = await runCaptured(['webhook', 'set', 'http://127.0.0.1:9/hooks'], consumer());
      expect(set).toMatchObject({ exitCode: 0, stderr: '' });
      expect(set.stdout).toMatch(/^Webhook set to http:\/\/127\.0\.0\.1:9\/hooks\. Signing secret:\n\n {2}\S{16,}\n\nStore it now: it is shown only this once\.\n$/);
      expect((await runCaptured(['webhook', 'deliveries'], consumer())).stdout).toBe('No webhook deliveries.\n');
      expect(JSON.parse((await runCaptured(['webhook', 'deliveries', '--json'], consumer())).stdout)).toEqual({ deliveries: [] });
      expect((await runCaptured(['webhook', 'clear'], consumer())).stdout).toBe('Webhook cleared: no more deliveries to it.\n');
    });

    it('names what is wrong with a URL or the key', async () => {
      enableWebhooks(server);
      const http = await runCaptured(['webhook', 'set', 'http://hooks.example.com/x'], consumer());
      expect(http).toMatchObject({ exitCode: 1, stderr: 'gpu-shopper: webhookUrl: must be an https:// URL\n' });
      const operator = await runCaptured(['webhook', 'set', 'https://hooks.example.com/x'], admin());
      expect(operator).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('GPU_SHOPPER_WEBHOOK_URL') });
    });
  });

  describe('keys: expiry and rotation', () => {
    it('creates a key with an expiry given as a duration', async () => {
      const run = await runCaptured(['keys', 'create', '--consumer=expiring', '--expires=90d'], admin());
      expect(run).toMatchObject({ exitCode: 0, stderr: '' });
      expect(run.stdout).toMatch(/\nIt expires at \d{4}-\d{2}-\d{2}T\S+Z\.\n$/);
      const listed = await runCaptured(['keys', 'list'], admin());
      expect(listed.stdout).toMatch(/^ID\s+ROLE\s+CONSUMER\s+PREFIX\s+CREATED\s+LAST USED\s+EXPIRES\s+ROTATED\s+REVOKED\n/);
      expect((await runCaptured(['keys', 'create', '--consumer=x', '--expires=soon'], admin())).exitCode).toBe(2);
    });

    it('rotates a key: prints the new secret once, and the old one stops working', async () => {
      const created = JSON.parse((await runCaptured(['keys', 'create', '--consumer=rotating', '--json'], admin())).stdout) as { key: string; apiKey: { id: string } };
      const run = await runCaptured(['keys', 'rotate', created.apiKey.id], admin());
      expect(run).toMatchObject({ exitCode: 0, stderr: '' });
      const newKey = /\n {2}(gsc_\S+)\n/.exec(run.stdout)?.[1] ?? '';
      expect(run.stdout).toBe(`New secret for key ${created.apiKey.id} (consumer rotating):\n\n  ${newKey}\n\nStore it now: it is shown only this once.\nThe old secret no longer works.\n`);
      expect((await runCaptured(['budgets'], as(newKey))).exitCode).toBe(0);
      const old = await runCaptured(['budgets'], as(created.key));
      expect(old).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/^gpu-shopper: the API key was rejected \(401\): this API key was rotated/) });

      const graced = JSON.parse((await runCaptured(['keys', 'rotate', created.apiKey.id, '--grace=600', '--json'], admin())).stdout) as { key: string; apiKey: { previousSecretValidUntil: string | null } };
      expect(graced.apiKey.previousSecretValidUntil).not.toBeNull();
      expect((await runCaptured(['budgets'], as(newKey))).exitCode).toBe(0);
      expect((await runCaptured(['keys', 'rotate', created.apiKey.id], consumer())).stderr).toMatch(/^gpu-shopper: not allowed \(403\): /);
      expect((await runCaptured(['keys', 'rotate', created.apiKey.id, '--grace=-1'], admin())).exitCode).toBe(2);
    });
  });

  describe('audit', () => {
    it('lists operator actions as a table and as JSON, filtered by action', async () => {
      const run = await runCaptured(['audit', '--action=key.created'], admin());
      expect(run).toMatchObject({ exitCode: 0, stderr: '' });
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^AT\s+ACTION\s+ACTOR\s+TARGET\s+DETAIL$/);
      expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\s+key\.created\s+key_\S+\s+key_\S+\s+role=consumer consumerId=con_\S+ consumer=\S+ expiresAt=/);
      const json = JSON.parse((await runCaptured(['audit', '--json', '--since=24h', '--limit=1'], admin())).stdout) as { events: { action: string }[]; nextCursor: number | null };
      expect(json.events).toHaveLength(1);
      expect(json.nextCursor).toEqual(expect.any(Number));
      const paged = await runCaptured(['audit', '--limit=1'], admin());
      expect(paged.stdout).toMatch(/\nmore: --cursor=\d+\n$/);
      expect((await runCaptured(['audit', `--cursor=${json.nextCursor}`, '--json'], admin())).exitCode).toBe(0);
    });

    it('refuses consumers (403) and unknown actions (exit 2)', async () => {
      expect((await runCaptured(['audit'], consumer())).stderr).toMatch(/^gpu-shopper: not allowed \(403\): /);
      expect((await runCaptured(['audit', '--action=key.stolen'], admin())).exitCode).toBe(2);
    });
  });
});
