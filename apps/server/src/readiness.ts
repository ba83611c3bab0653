// Whether this server should get traffic, for GET /readyz: a load balancer or orchestrator sends
// requests only while it says ready. /healthz is liveness and stays 200 while the process serves.
export type ReadinessStatus = 'starting' | 'recovering' | 'ready' | 'draining';

export interface ReadinessReport {
  status: ReadinessStatus;
  /** Why it is not ready (absent when ready). */
  message?: string;
}

const MESSAGES: Record<Exclude<ReadinessStatus, 'ready'>, string> = {
  starting: 'the server is starting: the database is migrated, the providers and provisioning are being set up',
  recovering: 'crash recovery is matching sessions with the providers; provisioning starts after it',
  draining: 'the server is shutting down',
};

// Only forward: starting -> recovering -> ready -> draining (any state may go straight to draining).
const ORDER: readonly ReadinessStatus[] = ['starting', 'recovering', 'ready', 'draining'];

export class Readiness {
  private current: ReadinessStatus = 'starting';

  get status(): ReadinessStatus {
    return this.current;
  }

  /** Moves forward only, so a late `ready()` can never undo `draining()`. */
  advance(next: ReadinessStatus): void {
    if (ORDER.indexOf(next) > ORDER.indexOf(this.current)) this.current = next;
  }

  get isDraining(): boolean {
    return this.current === 'draining';
  }

  report(): ReadinessReport {
    return this.current === 'ready' ? { status: 'ready' } : { status: this.current, message: MESSAGES[this.current] };
  }
}
