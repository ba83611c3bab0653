// The server's "now" as seen from the browser. Reservations end and heartbeats arrive by the
// server's clock, so time left and "seen 12 s ago" are counted against it, not against a laptop's
// clock that may be off. The cost queries report the instant they accrued to: that sets the offset.
import { useEffect, useState } from 'react';

export class ServerClock {
  private offsetMs = 0;

  /** A server instant read at local time `localNowMs` (about when its response arrived). */
  observe(serverIso: string | null, localNowMs: number = Date.now()): void {
    if (serverIso === null) return;
    const serverMs = Date.parse(serverIso);
    if (!Number.isNaN(serverMs)) this.offsetMs = serverMs - localNowMs;
  }

  now(localNowMs: number = Date.now()): number {
    return localNowMs + this.offsetMs;
  }
}

export const serverClock = new ServerClock();

/** The server's now, re-read every `everyMs`: for countdowns and "ago" columns. */
export function useServerNow(everyMs = 1_000): number {
  const [now, setNow] = useState(() => serverClock.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(serverClock.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
