// What a session is doing right now, in words, read from its state, its provision attempts and its
// history: "creating instance on vastai", "booting instance 777", "waiting for the agent",
// "failover attempt 2 (attempt 1: not ready in time)"... for `--wait`'s progress line.
import type { SessionDetail } from '@gpu-shopper/sdk';

type Attempt = SessionDetail['attempts'][number];

const OUTCOME_WORDS: Record<Attempt['outcome'], string> = {
  pending: 'under way',
  created: 'created',
  offer_gone: 'offer gone',
  failed: 'create failed',
  deadline: 'not ready in time',
  lost: 'instance lost',
};

/** "on vastai (offer vastai:1)", as much as is known. */
function where(provider: string | null, offerId: string | null): string {
  return [provider === null ? null : `on ${provider}`, offerId === null ? null : `(offer ${offerId})`].filter((part) => part !== null).join(' ');
}

function provisioningPhase(session: SessionDetail): string {
  const attempts = [...session.attempts].sort((a, b) => a.attempt - b.attempt);
  const latest = attempts.at(-1);
  const previous = attempts.at(-2);
  // Attempt k > 1 is a failover: say which try it is and why the one before it ended.
  const prefix = latest !== undefined && latest.attempt > 1 ? `failover attempt ${latest.attempt}${previous === undefined ? '' : ` (attempt ${previous.attempt}: ${OUTCOME_WORDS[previous.outcome]})`}: ` : '';
  if (latest !== undefined && latest.outcome !== 'pending' && latest.outcome !== 'created') {
    return `attempt ${latest.attempt} ${OUTCOME_WORDS[latest.outcome]}${latest.error === null ? '' : ` (${latest.error})`}; looking for another offer`;
  }
  const instanceId = latest?.instanceId ?? session.providerInstanceId;
  if (instanceId === null || latest?.outcome === 'pending') return `${prefix}creating instance ${where(latest?.provider ?? session.provider, latest?.offerId ?? session.offerId)}`.trimEnd();
  if (session.nodeEndpoint === null) return `${prefix}booting instance ${instanceId}${session.provider === null ? '' : ` on ${session.provider}`}`;
  if (session.lastHeartbeatAt === null) return `${prefix}waiting for the agent at ${session.nodeEndpoint}`;
  return `${prefix}agent connected, starting the ${session.workload} workload`;
}

export function describePhase(session: SessionDetail): string {
  switch (session.state) {
    case 'provisioning':
      return provisioningPhase(session);
    case 'ready':
      return 'ready';
    case 'stopping': {
      const reason = session.events.at(-1)?.reason ?? session.endReason;
      const instance = session.providerInstanceId === null ? '' : `, instance ${session.providerInstanceId}${session.provider === null ? '' : ` on ${session.provider}`}`;
      return `stopping${reason === null ? '' : ` (${reason}${instance})`}`;
    }
    case 'stopped':
      return 'stopped (disk kept; it still costs storage)';
    case 'terminated':
      return 'terminated';
    case 'failed':
      return `failed${session.failureReason === null ? '' : ` (${session.failureReason})`}`;
  }
}

/** 65_000 → "1m 05s"; under a minute "42s". */
export function elapsed(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}
