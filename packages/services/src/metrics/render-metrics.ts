// Builds the /metrics page: spend rate and sessions from the database, accrued cost per consumer from
// the ledger, orphans, alerts and webhook deliveries, and the provider API calls seen in this process.
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@gpu-shopper/db';
import { LIVE_STATES, SESSION_STATES, PROVIDER_NAMES } from '@gpu-shopper/domain';
import { AlertEntity, ConsumerEntity, CostEntryEntity, SessionEntity, WebhookDeliveryEntity } from '@gpu-shopper/db';
import { loadUsage } from '../costs/ledger';
import { pricingOf } from '../costs/session-charges';
import { meterIntervals } from '../costs/usage-intervals';
import { formatPrometheus, type MetricFamily, type MetricSample } from './prometheus-text';
import type { ProviderCallMetrics } from './provider-call-metrics';

const NO_PROVIDER = 'none';
const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export async function renderMetrics(em: EntityManager, recorder: ProviderCallMetrics | null, now: Date): Promise<string> {
  return formatPrometheus([...(await databaseFamilies(em, now)), ...(recorder?.families() ?? [])]);
}

export async function databaseFamilies(em: EntityManager, now: Date): Promise<MetricFamily[]> {
  return [...(await sessionFamilies(em, now)), await accruedCostFamily(em), ...(await alertFamilies(em)), await webhookFamily(em)];
}

/** Live sessions by state and provider, and what the open meters cost per hour right now. */
async function sessionFamilies(em: EntityManager, now: Date): Promise<MetricFamily[]> {
  const live = await em.find(SessionEntity, { state: { $in: [...LIVE_STATES] } }, { fields: ['id', 'state', 'provider', 'pricePerHourUsd', 'computePerHourUsd', 'storagePerHourUsd'] });
  const counts = new Map<string, number>();
  for (const state of LIVE_STATES) for (const provider of [...PROVIDER_NAMES, NO_PROVIDER]) counts.set(`${state}|${provider}`, 0);
  for (const session of live) {
    const key = `${session.state}|${session.provider ?? NO_PROVIDER}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const rateByProvider = new Map<string, { compute: number; storage: number }>(PROVIDER_NAMES.map((provider) => [provider, { compute: 0, storage: 0 }]));
  const usage = await loadUsage(em, now, { sessionIds: live.map((session) => session.id) });
  for (const session of live) {
    const events = usage.get(session.id);
    if (events === undefined || session.provider === null || session.provider === undefined) continue;
    const meters = meterIntervals(
      events.map((event) => ({ kind: event.kind, atMs: event.at.getTime(), instanceId: event.instanceId })),
      now.getTime(),
    );
    const pricing = pricingOf(session);
    const rate = rateByProvider.get(session.provider)!;
    if (meters.computeOpen) rate.compute += pricing.computePerHourUsd;
    if (meters.storageOpen) rate.storage += pricing.storagePerHourUsd;
  }
  const rateSamples: MetricSample[] = [];
  for (const [provider, rate] of rateByProvider) {
    rateSamples.push({ labels: { provider, kind: 'compute' }, value: round6(rate.compute) }, { labels: { provider, kind: 'storage' }, value: round6(rate.storage) });
  }
  return [
    {
      name: 'gpu_shopper_spend_rate_usd_per_hour',
      help: 'What running instances cost per hour right now (compute while running, storage while the instance exists).',
      type: 'gauge',
      samples: rateSamples,
    },
    {
      name: 'gpu_shopper_sessions',
      help: 'Sessions that are not finished, by state and provider.',
      type: 'gauge',
      samples: [...counts.entries()].filter(([key, value]) => value > 0 || !key.endsWith(`|${NO_PROVIDER}`)).map(([key, value]) => {
        const [state, provider] = key.split('|') as [string, string];
        return { labels: { state, provider }, value };
      }),
    },
    {
      name: 'gpu_shopper_sessions_total',
      help: 'Sessions ever created, by state.',
      type: 'gauge',
      samples: await Promise.all(SESSION_STATES.map(async (state) => ({ labels: { state }, value: await em.count(SessionEntity, { state }) }))),
    },
  ];
}

async function accruedCostFamily(em: EntityManager): Promise<MetricFamily> {
  const rows = await em
    .createQueryBuilder(CostEntryEntity)
    .select(['consumerId', raw('sum(cost_micros) as total_micros')])
    .groupBy('consumerId')
    .execute<{ consumer_id: string; total_micros: number }[]>('all', false);
  const names = new Map((await em.find(ConsumerEntity, {}, { fields: ['id', 'name'] })).map((consumer) => [consumer.id, consumer.name]));
  return {
    name: 'gpu_shopper_accrued_cost_usd_total',
    help: 'Cost accrued in the ledger per consumer, in US dollars (as of the last accrual).',
    type: 'counter',
    samples: rows
      .map((row) => ({ labels: { consumer: names.get(row.consumer_id) ?? row.consumer_id }, value: Number(row.total_micros) / 1_000_000 }))
      .sort((a, b) => a.labels.consumer.localeCompare(b.labels.consumer)),
  };
}

async function alertFamilies(em: EntityManager): Promise<MetricFamily[]> {
  const rows = await em
    .createQueryBuilder(AlertEntity)
    .select(['kind', raw('count(*) as total'), raw('sum(case when resolved_at is null then 1 else 0 end) as unresolved')])
    .groupBy('kind')
    .execute<{ kind: string; total: number; unresolved: number }[]>('all', false);
  const byKind = new Map(rows.map((row) => [row.kind, row]));
  return [
    {
      name: 'gpu_shopper_orphans_detected_total',
      help: 'Provider instances found running without a live session.',
      type: 'counter',
      samples: [{ value: Number(byKind.get('orphan')?.total ?? 0) }],
    },
    {
      name: 'gpu_shopper_alerts_unresolved',
      help: 'Operator alerts not yet resolved, by kind.',
      type: 'gauge',
      samples: [...byKind.values()].sort((a, b) => a.kind.localeCompare(b.kind)).map((row) => ({ labels: { kind: row.kind }, value: Number(row.unresolved) })),
    },
  ];
}

async function webhookFamily(em: EntityManager): Promise<MetricFamily> {
  return {
    name: 'gpu_shopper_webhook_deliveries',
    help: 'Webhook deliveries in the delivery log, by status.',
    type: 'gauge',
    samples: await Promise.all(DELIVERY_STATUSES.map(async (status) => ({ labels: { status }, value: await em.count(WebhookDeliveryEntity, { status }) }))),
  };
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
