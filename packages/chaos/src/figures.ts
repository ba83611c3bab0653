// The cost figures' inputs, read once everything has settled: the server's price for every session
// (operator key), every provider's billing rows, and how much of each session's life the server was
// dead for (the evidence beside a miss), and when no server was up at all (an instance's end then was
// seen by nobody: the outage allowance).
import type { Session } from '@gpu-shopper/domain';
import { compareCosts, OBSERVED_ONLY_PROVIDERS, type BillingRow, type CostFigures } from './cost-check';
import { measureWithin, type Interval } from './intervals';
import { PROVIDERS, type Provider, type SimAdmin } from './sim-admin';
import type { ShopperApi } from './shopper-api';

export async function readCostFigures(deps: {
  api: ShopperApi;
  adminKey: string;
  sims: Record<Provider, SimAdmin>;
  deploymentId: string | null;
  /** When any replica was down: the evidence beside each session. */
  downtimes: readonly Interval[];
  /** When nobody watched the providers (no replica up, or the one running the provider sync dead): an instance ending then is dated by nobody. */
  noServerUp: readonly Interval[];
  tickSeconds: number;
  /** --strict: no outage allowance. */
  strict: boolean;
  maxSessionError: number;
  sessions: readonly Session[];
}): Promise<CostFigures> {
  const { api, adminKey, sims } = deps;
  const ours = new Map<string, number | null>();
  for (const session of deps.sessions) {
    ours.set(
      session.id,
      await api.sessionCost(adminKey, session.id).then(
        (cost) => cost.totalUsd,
        () => null,
      ),
    );
  }
  const billing: BillingRow[] = (
    await Promise.all(
      PROVIDERS.map(async (provider) =>
        (await sims[provider].billing()).map((row) => ({ provider, instanceId: row.instanceId, label: row.label, totalUsd: row.totalUsd, computeEndedAtMs: row.computeEndedAtMs, computePerHourUsd: row.computePerHourUsd, storagePerHourUsd: row.storagePerHourUsd })),
      ),
    )
  ).flat();
  const nowMs = Date.now();
  const figures = compareCosts(ours, billing, {
    deploymentId: deps.deploymentId,
    maxSessionError: deps.maxSessionError,
    outages: {
      noServerUp: deps.noServerUp.map((down) => ({ fromMs: down.fromMs, toMs: down.toMs ?? nowMs })),
      tickMs: deps.tickSeconds * 1000,
      observedProviders: OBSERVED_ONLY_PROVIDERS,
      strict: deps.strict,
    },
  });
  const lives = new Map(deps.sessions.map((session) => [session.id, { fromMs: Date.parse(session.createdAt), toMs: session.endedAt === null ? Date.now() : Date.parse(session.endedAt) }]));
  for (const row of figures.sessions) {
    const life = lives.get(row.sessionId);
    if (life !== undefined) row.serverDownMs = measureWithin(deps.downtimes, life.fromMs, life.toMs);
  }
  return figures;
}
