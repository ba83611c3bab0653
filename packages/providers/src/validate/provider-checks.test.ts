// validate:providers against the simulators: the --allow-spend path end to end (create, run, list,
// price, billing, destroy) passes on faithful simulators, and drift (a renamed field, a price that no
// longer adds up, an empty market) fails the check that names it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { startSimulators, type RunningSimulators } from '@gpu-shopper/simulators';
import { RequestBudget } from '../http/request-budget';
import { TensorDockAdapter } from '../tensordock/adapter';
import { VastAiAdapter } from '../vastai/adapter';
import { SkippedRecordMetrics } from '../skipped-records';
import { formatCheckTable } from './check-table';
import { validateProvider, type ValidateOptions } from './provider-checks';

const VAST_KEY = 'validate-vast-key';
const TD_TOKEN = 'validate-td-token';
const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let sims: RunningSimulators;

const options: ValidateOptions = {
  clock,
  allowSpendUsd: 5,
  runMinutes: 15,
  pollIntervalMs: 60_000,
  // The run's waits move the simulated clock: boots and billing happen in no real time.
  sleep: async (ms) => void clock.advance(ms),
  sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAvalidate validate@test',
};
const common = { clock, timeoutMs: 2_000, retry: { sleep: async () => {} }, budget: RequestBudget.unlimited(), skippedRecords: new SkippedRecordMetrics() };
const vast = (fetchImpl?: typeof fetch) => new VastAiAdapter({ ...common, apiKey: VAST_KEY, baseUrl: sims.vastUrl, fetch: fetchImpl });
const tensordock = () => new TensorDockAdapter({ ...common, apiKey: TD_TOKEN, baseUrl: sims.tensordockUrl });
const results = (rows: { check: string; result: string }[]) => Object.fromEntries(rows.map((row) => [row.check, row.result]));

beforeAll(async () => {
  sims = await startSimulators({ seed: 13, clock, bootDelayMs: 120_000, vastOfferCount: 150, tensordockHostnodeCount: 30, vastApiKey: VAST_KEY, tensordockApiToken: TD_TOKEN });
});
afterAll(async () => {
  await sims.close();
});

describe('validate:providers --allow-spend, dry run against the simulators', () => {
  it('passes every Vast check: offers, prices, account, billing, and a rented instance end to end', async () => {
    const report = await validateProvider(vast(), VAST_KEY, options);
    expect(report.failed(), formatCheckTable('vastai', report.rows)).toEqual([]);
    const byCheck = results(report.rows);
    for (const check of ['search offers', 'no malformed records', 'price matches dph_total', 'account (users/current)', 'read billing (7 days)', 'reaches running', 'listed', 'price matches the instance rate', 'charges show the instance', 'destroy and verify gone']) {
      expect(byCheck[check], check).toBe('ok');
    }
    expect(sims.vast.lifecycle.live()).toEqual([]);
  });

  it('passes every TensorDock check, the account endpoints and the balance included', async () => {
    const report = await validateProvider(tensordock(), TD_TOKEN, options);
    expect(report.failed(), formatCheckTable('tensordock', report.rows)).toEqual([]);
    const byCheck = results(report.rows);
    for (const check of ['search offers', 'account (secrets)', 'billing balance', 'reaches running', 'price matches the instance rate', 'balance counts the instance', 'destroy and verify gone']) {
      expect(byCheck[check], check).toBe('ok');
    }
    expect(formatCheckTable('tensordock', report.rows)).toMatch(/^tensordock\n {2}CHECK +RESULT +DETAIL\n/);
  });
});

describe('validate:providers notices drift', () => {
  it('fails "no malformed records" when a field the parser needs was renamed in some records', async () => {
    const renamed = sims.vast.offers.filter((_, index) => index % 10 === 0);
    for (const offer of renamed) {
      offer.record.gpu_ram_mb = offer.record.gpu_ram;
      delete offer.record.gpu_ram;
    }
    try {
      const report = await validateProvider(vast(), VAST_KEY, { ...options, allowSpendUsd: 0 });
      expect(results(report.rows)['no malformed records']).toBe('FAIL');
      expect(report.failed().map((row) => row.check)).toContain('no malformed records');
    } finally {
      for (const offer of renamed) {
        offer.record.gpu_ram = offer.record.gpu_ram_mb;
        delete offer.record.gpu_ram_mb;
      }
    }
  });

  it('fails "price matches dph_total" when the provider total no longer matches our formula', async () => {
    // Between the simulator and us, every dph_total gains two cents an hour (a fee we do not know of).
    const withFee: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input instanceof Request ? input.url : input).includes('/bundles')) return response;
      const body = (await response.json()) as { offers: Record<string, number>[] };
      for (const offer of body.offers) offer.dph_total! += 0.02;
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    };
    const report = await validateProvider(vast(withFee), VAST_KEY, { ...options, allowSpendUsd: 0 });
    expect(report.failed().map((row) => row.check)).toEqual(['price matches dph_total']);
    expect(report.failed()[0]!.detail).toMatch(/differs from dph_total by \$0\.02/);
  });

  it('fails "search offers" on an empty market instead of passing with 0 offers', async () => {
    const wasRented = sims.tensordock.hostnodes.map((host) => host.gpu.availableCount);
    sims.tensordock.rentOutHostnodes(sims.tensordock.hostnodes.length * 4);
    for (const host of sims.tensordock.hostnodes) host.gpu.availableCount = 0;
    try {
      const report = await validateProvider(tensordock(), TD_TOKEN, { ...options, allowSpendUsd: 0 });
      expect(report.failed()).toEqual([expect.objectContaining({ check: 'search offers', detail: expect.stringMatching(/0 offers: the account must see some/) })]);
    } finally {
      sims.tensordock.hostnodes.forEach((host, index) => (host.gpu.availableCount = wasRented[index]!));
    }
  });
});
