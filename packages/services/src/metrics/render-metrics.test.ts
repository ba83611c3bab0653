import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, usdToMicros } from '@gpu-shopper/domain';
import { AlertEntity, CostEntryEntity, WebhookDeliveryEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { newId } from '../ids';
import { seedConsumer, seedPricedSession, seedUsage } from '../test-support/ledger-fixtures';
import { escapeLabelValue, formatPrometheus } from './prometheus-text';
import { ProviderCallMetrics } from './provider-call-metrics';
import { renderMetrics } from './render-metrics';

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the text format: every sample belongs to a family declared (HELP, TYPE) before it. */
function parsePrometheus(text: string): { types: Map<string, string>; samples: ParsedSample[] } {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: ParsedSample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (help) {
      helps.add(help[1]!);
      continue;
    }
    if (type) {
      expect(types.has(type[1]!), `TYPE ${type[1]} twice`).toBe(false);
      types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
    expect(sample, `not a sample line: ${line}`).not.toBeNull();
    const [, name, labelText, value] = sample!;
    const family = [name!, name!.replace(/_(bucket|sum|count)$/, '')].find((candidate) => types.has(candidate));
    expect(family, `sample ${name} before its TYPE`).toBeDefined();
    expect(helps.has(family!)).toBe(true);
    const labels: Record<string, string> = {};
    for (const match of (labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    samples.push({ name: name!, labels, value: Number(value === '+Inf' ? Infinity : value) });
  }
  return { types, samples };
}

const find = (samples: ParsedSample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;

describe('renderMetrics', () => {
  let orm: Orm;
  const clock = new ManualClock('2026-03-10T12:00:00.000Z');
  beforeAll(async () => {
    orm = await openTestDatabase();
    const em = orm.em.fork();
    const atlas = seedConsumer(em, 'atlas', clock.now());
    const running = seedPricedSession(em, clock, { consumerId: atlas, provider: 'vastai', computePerHourUsd: 0.5, storagePerHourUsd: 0.02 });
    seedUsage(em, running, 'storage_started', new Date('2026-03-10T10:00:00Z'));
    seedUsage(em, running, 'compute_started', new Date('2026-03-10T10:01:00Z'));
    const parked = seedPricedSession(em, clock, { consumerId: atlas, provider: 'tensordock', computePerHourUsd: 1.2, storagePerHourUsd: 0.05, state: 'stopped' });
    seedUsage(em, parked, 'storage_started', new Date('2026-03-10T08:00:00Z'));
    seedUsage(em, parked, 'compute_started', new Date('2026-03-10T08:00:00Z'));
    seedUsage(em, parked, 'compute_stopped', new Date('2026-03-10T09:00:00Z'));
    seedPricedSession(em, clock, { consumerId: atlas, state: 'terminated' });
    em.create(CostEntryEntity, { sessionId: running.id, consumerId: atlas, provider: 'vastai', gpuModel: 'RTX 4090', kind: 'compute', hourStart: new Date('2026-03-10T10:00:00Z'), costMicros: usdToMicros(1.25) });
    for (const [kind, resolvedAt] of [['orphan', null], ['orphan', clock.now()], ['cost_drift', null]] as const) {
      em.create(AlertEntity, { id: newId('alr'), createdAt: clock.now(), kind, message: 'x', resolvedAt });
    }
    for (const status of ['delivered', 'delivered', 'failed'] as const) {
      em.create(WebhookDeliveryEntity, { id: newId('whd'), createdAt: clock.now(), consumerId: null, event: 'session.ready', url: 'https://x.example', payload: {}, status });
    }
    await em.flush();
  });
  afterAll(() => orm.close());

  it('exposes spend rate, sessions, accrued cost, orphans, webhooks and provider calls in valid text format', async () => {
    const recorder = new ProviderCallMetrics();
    recorder.record('vastai', 'search', true, 120);
    recorder.record('vastai', 'search', false, 3_000);
    recorder.record('tensordock', 'create', true, 40);
    const text = await renderMetrics(orm.em.fork(), recorder, clock.now());
    const { types, samples } = parsePrometheus(text);

    expect(types.get('gpu_shopper_spend_rate_usd_per_hour')).toBe('gauge');
    expect(find(samples, 'gpu_shopper_spend_rate_usd_per_hour', { provider: 'vastai', kind: 'compute' })).toBe(0.5);
    expect(find(samples, 'gpu_shopper_spend_rate_usd_per_hour', { provider: 'vastai', kind: 'storage' })).toBe(0.02);
    expect(find(samples, 'gpu_shopper_spend_rate_usd_per_hour', { provider: 'tensordock', kind: 'compute' })).toBe(0);
    expect(find(samples, 'gpu_shopper_spend_rate_usd_per_hour', { provider: 'tensordock', kind: 'storage' })).toBe(0.05);
    expect(find(samples, 'gpu_shopper_sessions', { state: 'ready', provider: 'vastai' })).toBe(1);
    expect(find(samples, 'gpu_shopper_sessions', { state: 'stopped', provider: 'tensordock' })).toBe(1);
    expect(find(samples, 'gpu_shopper_sessions_total', { state: 'terminated' })).toBe(1);
    expect(find(samples, 'gpu_shopper_accrued_cost_usd_total', { consumer: 'atlas' })).toBe(1.25);
    expect(find(samples, 'gpu_shopper_orphans_detected_total')).toBe(2);
    expect(find(samples, 'gpu_shopper_alerts_unresolved', { kind: 'orphan' })).toBe(1);
    expect(find(samples, 'gpu_shopper_webhook_deliveries', { status: 'delivered' })).toBe(2);
    expect(find(samples, 'gpu_shopper_webhook_deliveries', { status: 'pending' })).toBe(0);

    expect(find(samples, 'gpu_shopper_provider_api_calls_total', { provider: 'vastai', operation: 'search', outcome: 'ok' })).toBe(1);
    expect(find(samples, 'gpu_shopper_provider_api_errors_total', { provider: 'vastai', operation: 'search' })).toBe(1);
    expect(types.get('gpu_shopper_provider_api_duration_seconds')).toBe('histogram');
    const buckets = samples.filter((s) => s.name === 'gpu_shopper_provider_api_duration_seconds_bucket' && s.labels.provider === 'vastai');
    expect(buckets.map((b) => b.value)).toEqual([0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    expect(find(samples, 'gpu_shopper_provider_api_duration_seconds_count', { provider: 'vastai' })).toBe(2);
    expect(find(samples, 'gpu_shopper_provider_api_duration_seconds_sum', { provider: 'vastai' })).toBeCloseTo(3.12, 9);
  });

  it('renders without a recorder', async () => {
    const text = await renderMetrics(orm.em.fork(), null, clock.now());
    expect(parsePrometheus(text).types.has('gpu_shopper_provider_api_calls_total')).toBe(false);
  });
});

describe('formatPrometheus', () => {
  it('escapes label values and help text, and writes special values', () => {
    const text = formatPrometheus([{ name: 'x_total', help: 'a \\ b\nc', type: 'counter', samples: [{ labels: { path: 'C:\\tmp "q"\nz' }, value: Infinity }, { value: NaN }] }]);
    expect(text).toBe('# HELP x_total a \\\\ b\\nc\n# TYPE x_total counter\nx_total{path="C:\\\\tmp \\"q\\"\\nz"} +Inf\nx_total NaN\n');
    expect(parsePrometheus(text).samples[0]!.labels.path).toBe('C:\\tmp "q"\nz');
    expect(escapeLabelValue('plain')).toBe('plain');
    expect(formatPrometheus([])).toBe('');
    expect(() => formatPrometheus([{ name: 'bad-name', help: 'h', type: 'gauge', samples: [] }])).toThrow(/invalid metric name/);
    expect(() => formatPrometheus([{ name: 'ok', help: 'h', type: 'gauge', samples: [{ labels: { 'bad-label': 'v' }, value: 1 }] }])).toThrow(/invalid label name/);
  });

  it('times calls through ProviderCallMetrics.time, errors included', async () => {
    const recorder = new ProviderCallMetrics();
    let nowMs = 0;
    const clockMs = () => nowMs;
    await recorder.time('vastai', 'get', clockMs, async () => {
      nowMs += 200;
      return 1;
    });
    await expect(recorder.time('vastai', 'get', clockMs, async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    const { samples } = parsePrometheus(formatPrometheus(recorder.families()));
    expect(find(samples, 'gpu_shopper_provider_api_calls_total', { outcome: 'error' })).toBe(1);
    expect(find(samples, 'gpu_shopper_provider_api_duration_seconds_sum')).toBeCloseTo(0.2, 9);
  });
});
