// Counts what users do on the node (LLM requests, file transfers, job events) and remembers when
// they last did anything; the idle detector and the heartbeat read it.
import type { Clock } from '../clock';

export type ActivityKind = 'llmRequests' | 'fileTransfers' | 'jobEvents';

export interface ActivitySnapshot {
  llmRequests: number;
  fileTransfers: number;
  jobEvents: number;
  /** Requests or transfers still in progress (a long download is activity for its whole length). */
  inFlight: number;
  lastActivityAt: Date | null;
}

export class ActivityTracker {
  private readonly counters: Record<ActivityKind, number> = { llmRequests: 0, fileTransfers: 0, jobEvents: 0 };
  private inFlight = 0;
  private lastActivityAt: Date | null = null;

  constructor(private readonly clock: Clock) {}

  record(kind: ActivityKind): void {
    this.counters[kind] += 1;
    this.lastActivityAt = this.clock.now();
  }

  /** Marks the start of a long operation; call the returned function once when it ends. */
  begin(kind: ActivityKind): () => void {
    this.record(kind);
    this.inFlight += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight -= 1;
      this.lastActivityAt = this.clock.now();
    };
  }

  snapshot(): ActivitySnapshot {
    return { ...this.counters, inFlight: this.inFlight, lastActivityAt: this.lastActivityAt };
  }
}
