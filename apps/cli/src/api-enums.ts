// The API's enumerations as runtime lists for option validators. Written out here so the CLI needs
// only the SDK's types; `satisfies Record<...>` fails the build if the API adds or drops a value.
import type { RouterInputs } from '@gpu-shopper/sdk';

type SearchInput = RouterInputs['inventory']['search'];
type BudgetInput = RouterInputs['budgets']['create'];
type CostInput = RouterInputs['costs']['summary'];
type CreateInput = RouterInputs['sessions']['create'];
type AlertInput = RouterInputs['admin']['alerts'];
type AuditInput = RouterInputs['audit']['list'];

const keys = <T extends string>(record: Record<T, true>) => Object.keys(record) as T[];

export const PROVIDERS = keys({ vastai: true, tensordock: true } satisfies Record<NonNullable<SearchInput['provider']>, true>);
export const OFFER_SORTS = keys({ price: true, reliability: true, vram: true } satisfies Record<NonNullable<SearchInput['sort']>, true>);
export const COST_GROUPINGS = keys({ provider: true, gpu: true, consumer: true } satisfies Record<NonNullable<CostInput['group_by']>, true>);
export const COST_PERIODS = keys({ hour: true, day: true, month: true, total: true } satisfies Record<NonNullable<CostInput['period']>, true>);
export const BUDGET_PERIODS = keys({ day: true, month: true, total: true } satisfies Record<BudgetInput['period'], true>);
export const BUDGET_ACTIONS = keys({ alert: true, block: true, shutdown: true } satisfies Record<NonNullable<BudgetInput['action']>, true>);
export const WORKLOADS = keys({ llm: true, training: true, batch: true } satisfies Record<NonNullable<CreateInput['workload']>, true>);
export const ALERT_KINDS = keys({
  orphan: true,
  heartbeat_lost: true,
  listing_failed: true,
  teardown_stuck: true,
  cost_drift: true,
  idle: true,
  reservation_expired: true,
  budget: true,
  instance_lost: true,
} satisfies Record<NonNullable<AlertInput['kind']>, true>);
export const AUDIT_ACTIONS = keys({
  'key.created': true,
  'key.rotated': true,
  'key.revoked': true,
  'budget.set': true,
  'budget.deleted': true,
  'override.approved': true,
  'override.denied': true,
  'session.force_shutdown': true,
  'provider_key.set': true,
} satisfies Record<NonNullable<AuditInput['action']>, true>);
