// The settle phase's loop: with the faults cleared, end every live session (as the operator) and
// wait until the server has none and no provider has an instance, or the deadline passes.
import type { FaultInjector } from './fault-injector';
import { isLiveInstancePhase } from './invariants';
import { PROVIDERS, type Provider, type SimAdmin } from './sim-admin';
import type { ShopperApi } from './shopper-api';
import { sleep } from './sleep';

export interface Leftover {
  liveSessions: string[];
  liveInstances: string[];
  /** Live sessions not yet ending (provisioning or ready). */
  sessionsToEnd: string[];
}

export interface SettleDeps {
  api: ShopperApi;
  adminKey: string;
  sims: Record<Provider, SimAdmin>;
  faults: FaultInjector;
  deadlineMs: number;
  log: (line: string) => void;
}

const CLEAR_EVERY_MS = 5_000;
const DONE_AGAIN_AFTER_MS = 15_000;

export async function settle({ api, adminKey, sims, faults, deadlineMs, log }: SettleDeps): Promise<boolean> {
  const doneSentAt = new Map<string, number>();
  let clearedAtMs = Date.now();
  while (Date.now() < deadlineMs) {
    // Faults cleared and stuck instances released again: a fault applied late must not hold the run.
    if (Date.now() - clearedAtMs > CLEAR_EVERY_MS) {
      await faults.clearAll();
      clearedAtMs = Date.now();
    }
    const leftover = await readLeftover(api, adminKey, sims).catch(() => null);
    if (leftover !== null) {
      if (leftover.liveSessions.length === 0 && leftover.liveInstances.length === 0) return true;
      for (const session of leftover.sessionsToEnd) {
        if (Date.now() - (doneSentAt.get(session) ?? 0) < DONE_AGAIN_AFTER_MS) continue;
        doneSentAt.set(session, Date.now());
        await api.done(adminKey, session).catch((error: unknown) => log(`settle: done ${session}: ${(error as Error).message}`));
      }
    }
    await sleep(1_000);
  }
  return false;
}

export async function readLeftover(api: ShopperApi, adminKey: string, sims: Record<Provider, SimAdmin>): Promise<Leftover> {
  const sessions = await api.listSessions(adminKey);
  const instances = (await Promise.all(PROVIDERS.map(async (provider) => (await sims[provider].instances()).filter((row) => isLiveInstancePhase(row.phase)).map((row) => `${provider}:${row.id} (${row.phase}, ${row.label ?? 'no label'})`)))).flat();
  return {
    liveSessions: sessions.map((session) => `${session.id} (${session.state})`),
    liveInstances: instances,
    sessionsToEnd: sessions.filter((session) => session.state === 'provisioning' || session.state === 'ready').map((session) => session.id),
  };
}
