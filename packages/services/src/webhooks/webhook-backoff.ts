// When a failed webhook delivery is tried again: exponential back-off with jitter, so a receiver
// that is down is not hammered, and many deliveries failing together do not retry in lockstep.
import { MS_PER_HOUR, MS_PER_SECOND } from '@gpu-shopper/domain';

export const RETRY_BASE_MS = 10 * MS_PER_SECOND;
export const RETRY_CAP_MS = MS_PER_HOUR;

/**
 * The wait after the `attempts`-th failed attempt (1-based): 10 s, 20 s, 40 s… capped at 1 h, then
 * "equal jitter" picks a point in [half, full] of it. Never longer than the un-jittered delay, so
 * tests can advance a clock by `retryDelayCeilingMs` and know the delivery is due.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = retryDelayCeilingMs(attempts);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function retryDelayCeilingMs(attempts: number): number {
  // Clamp the exponent before pow so a huge attempt count cannot overflow to Infinity.
  const exponent = Math.min(Math.max(attempts - 1, 0), 20);
  return Math.min(RETRY_BASE_MS * 2 ** exponent, RETRY_CAP_MS);
}
