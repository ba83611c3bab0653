// The last line of defence against an orphaned node: when the shopper has been out of reach for too
// long AND the reservation (plus a grace) is over, the node ends itself. Never before the reservation end.
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { RunCommand } from '../process/run-command';

export interface DeadManSwitchOptions {
  unreachableAfterMs: number;
  graceAfterReservationEndMs: number;
  powerOffCommand: string;
  vast: { containerId: string; containerApiKey: string; apiUrl: string } | null;
  clock: Clock;
  fetch: typeof fetch;
  runCommand: RunCommand;
  logger: Logger;
  /** Winds the node down (stops jobs) before it is destroyed; bounded by its own grace. */
  beforeTerminate: () => Promise<void>;
}

export interface DeadManInputs {
  reservationEndsAt: Date | null;
  /** Last successful heartbeat, or the agent's start when there never was one. */
  lastShopperContactAt: Date;
}

export type DeadManState = 'armed' | 'firing' | 'fired';

const RETRY_AFTER_FAILURE_MS = 60_000;
const VAST_ATTEMPTS_BEFORE_FALLBACK = 3;

export class DeadManSwitch {
  state: DeadManState = 'armed';
  attempts = 0;
  private nextAttemptAt: Date | null = null;
  private wound = false;

  constructor(private readonly options: DeadManSwitchOptions) {}

  /** True when both conditions hold at `now`. */
  shouldFire(inputs: DeadManInputs, now: Date): boolean {
    if (inputs.reservationEndsAt === null) return false;
    const endPlusGraceMs = inputs.reservationEndsAt.getTime() + this.options.graceAfterReservationEndMs;
    if (now.getTime() < endPlusGraceMs) return false;
    return now.getTime() - inputs.lastShopperContactAt.getTime() >= this.options.unreachableAfterMs;
  }

  async check(inputs: DeadManInputs): Promise<DeadManState> {
    const now = this.options.clock.now();
    if (this.state === 'fired') return this.state;
    if (this.state === 'armed' && !this.shouldFire(inputs, now)) return this.state;
    if (this.nextAttemptAt && now < this.nextAttemptAt) return this.state;
    if (this.state === 'armed') {
      this.options.logger.warn('dead-man switch firing: shopper unreachable and reservation over', {
        reservationEndsAt: inputs.reservationEndsAt?.toISOString(),
        lastShopperContactAt: inputs.lastShopperContactAt.toISOString(),
      });
    }
    this.state = 'firing';
    if (!this.wound) {
      this.wound = true;
      await this.options.beforeTerminate().catch((error: Error) => this.options.logger.error('wind-down failed', { error: error.message }));
    }
    this.attempts += 1;
    const ended = await this.terminate();
    if (ended) this.state = 'fired';
    else this.nextAttemptAt = new Date(this.options.clock.now().getTime() + RETRY_AFTER_FAILURE_MS);
    return this.state;
  }

  private async terminate(): Promise<boolean> {
    const { vast, logger } = this.options;
    if (vast && this.attempts <= VAST_ATTEMPTS_BEFORE_FALLBACK) {
      try {
        const response = await this.options.fetch(`${vast.apiUrl}/api/v0/instances/${encodeURIComponent(vast.containerId)}/`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${vast.containerApiKey}` },
          signal: AbortSignal.timeout(30_000),
        });
        if (response.ok) {
          logger.warn('dead-man switch destroyed the Vast.ai instance', { containerId: vast.containerId });
          return true;
        }
        logger.error('Vast.ai refused to destroy the instance', { status: response.status });
      } catch (error) {
        logger.error('Vast.ai destroy failed', { error: (error as Error).message });
      }
      // Keep trying the API a few times; after that fall through to the local command too.
      if (this.attempts < VAST_ATTEMPTS_BEFORE_FALLBACK) return false;
    }
    try {
      const result = await this.options.runCommand('/bin/sh', ['-c', this.options.powerOffCommand], { timeoutMs: 60_000 });
      if (result.exitCode === 0) return true;
      logger.error('power-off command failed', { exitCode: result.exitCode, stderr: result.stderr.slice(0, 200) });
    } catch (error) {
      logger.error('power-off command could not run', { error: (error as Error).message });
    }
    return false;
  }
}
