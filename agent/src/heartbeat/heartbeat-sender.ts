// Posts the heartbeat to the shopper on a schedule decided by the injected clock, backing off
// exponentially while the shopper is unreachable; the time of the last contact feeds the dead-man switch.
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { heartbeatPath, heartbeatResponseSchema } from './contract';
import type { HeartbeatRequest, HeartbeatResponse } from './contract';

/** The first retry after a failed heartbeat; each further one waits twice as long, up to the cap. */
const FIRST_RETRY_MS = 2_000;

export interface HeartbeatSenderOptions {
  shopperUrl: string | null;
  sessionId: string;
  nodeToken: string;
  intervalMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
  clock: Clock;
  fetch: typeof fetch;
  logger: Logger;
  buildRequest: (final: boolean) => HeartbeatRequest;
  onResponse: (response: HeartbeatResponse) => void;
}

export class HeartbeatSender {
  lastContactAt: Date | null = null;
  consecutiveFailures = 0;
  nextAttemptAt: Date;
  private inFlight = false;

  constructor(private readonly options: HeartbeatSenderOptions) {
    this.nextAttemptAt = options.clock.now();
  }

  get enabled(): boolean {
    return this.options.shopperUrl !== null;
  }

  /** Sends a heartbeat if one is due; called every second by the agent's timer, or directly by tests. */
  async tick(): Promise<void> {
    if (!this.enabled || this.inFlight) return;
    if (this.options.clock.now() < this.nextAttemptAt) return;
    await this.send(false);
  }

  /** Sends now, whatever the schedule; resolves with the shopper's answer or null when it failed. */
  async send(final: boolean): Promise<HeartbeatResponse | null> {
    const { shopperUrl, sessionId, nodeToken, clock, logger } = this.options;
    if (shopperUrl === null) return null;
    this.inFlight = true;
    try {
      const response = await this.options.fetch(`${shopperUrl.replace(/\/+$/, '')}${heartbeatPath(sessionId)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${nodeToken}` },
        body: JSON.stringify(this.options.buildRequest(final)),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      // Any non-2xx answer counts as "not in contact": a shopper that no longer knows this session
      // is as good as absent, and the dead-man switch must stay armed.
      if (!response.ok) throw new Error(`shopper answered HTTP ${response.status}`);
      const parsed = heartbeatResponseSchema.parse(await response.json());
      const now = clock.now();
      this.lastContactAt = now;
      this.consecutiveFailures = 0;
      this.nextAttemptAt = new Date(now.getTime() + this.options.intervalMs);
      this.options.onResponse(parsed);
      return parsed;
    } catch (error) {
      this.consecutiveFailures += 1;
      // Retry soon, then back off: a shopper that restarts (a deploy, a crash) hears from its nodes
      // within seconds (it learns they live, and since when, to bound their compute meters), while
      // one that stays down is not hammered.
      const firstRetryMs = Math.min(FIRST_RETRY_MS, this.options.intervalMs);
      const backoffMs = Math.min(firstRetryMs * 2 ** (this.consecutiveFailures - 1), this.options.maxBackoffMs);
      this.nextAttemptAt = new Date(clock.now().getTime() + backoffMs);
      logger.warn('heartbeat failed', { consecutiveFailures: this.consecutiveFailures, error: (error as Error).message, retryInMs: backoffMs });
      return null;
    } finally {
      this.inFlight = false;
    }
  }
}
