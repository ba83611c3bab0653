// Every create request the harness sent, by idempotency key, with every session id the server
// answered for it: a key answered with two ids is a duplicate, and so is a session the server holds
// that no key was ever answered with (a create that ran twice but answered once).
import type { CreateSessionBody } from './shopper-api';

export type CreateVia = 'rest' | 'cli';

export interface CreateRecord {
  key: string;
  consumer: string;
  body: CreateSessionBody;
  via: CreateVia;
  /** Every answered request, in order: first tries, retries after no answer, deliberate replays. */
  answers: { sessionId: string; kind: 'first' | 'retry' | 'replay'; atMs: number }[];
  /** Requests that got no answer (the server was down or killed mid-request). */
  unanswered: number;
  /** The server's last refusal, when it refused (no capacity, validation...). */
  refusal: string | null;
}

export interface DuplicateReport {
  /** Extra sessions: the ids beyond the first per key, plus sessions no key was answered with. */
  duplicates: number;
  keysWithSeveralSessions: { key: string; sessionIds: string[] }[];
  /** Sessions the server holds for our consumers that no create was answered with. */
  unclaimedSessions: string[];
  replays: number;
}

export class IdempotencyLedger {
  private readonly records = new Map<string, CreateRecord>();

  register(key: string, consumer: string, body: CreateSessionBody, via: CreateVia): CreateRecord {
    const record: CreateRecord = { key, consumer, body, via, answers: [], unanswered: 0, refusal: null };
    this.records.set(key, record);
    return record;
  }

  answered(key: string, sessionId: string, kind: 'first' | 'retry' | 'replay'): void {
    this.get(key).answers.push({ sessionId, kind, atMs: Date.now() });
  }

  noAnswer(key: string): void {
    this.get(key).unanswered += 1;
  }

  refused(key: string, reason: string): void {
    this.get(key).refusal = reason;
  }

  all(): CreateRecord[] {
    return [...this.records.values()];
  }

  /** Keys with at least one answer: the ones worth replaying. */
  answeredRecords(): CreateRecord[] {
    return this.all().filter((record) => record.answers.length > 0);
  }

  /** Keys that never got a session back (never answered, or refused). */
  unresolved(): CreateRecord[] {
    return this.all().filter((record) => record.answers.length === 0);
  }

  sessionIds(): Set<string> {
    return new Set(this.all().flatMap((record) => record.answers.map((answer) => answer.sessionId)));
  }

  /** `serverSessionIds`: every session the server holds for the harness's consumers. */
  report(serverSessionIds: readonly string[]): DuplicateReport {
    const keysWithSeveralSessions = this.all()
      .map((record) => ({ key: record.key, sessionIds: [...new Set(record.answers.map((answer) => answer.sessionId))] }))
      .filter((entry) => entry.sessionIds.length > 1);
    const claimed = this.sessionIds();
    const unclaimedSessions = serverSessionIds.filter((id) => !claimed.has(id));
    return {
      duplicates: keysWithSeveralSessions.reduce((sum, entry) => sum + entry.sessionIds.length - 1, 0) + unclaimedSessions.length,
      keysWithSeveralSessions,
      unclaimedSessions,
      replays: this.all().reduce((sum, record) => sum + record.answers.filter((answer) => answer.kind === 'replay').length, 0),
    };
  }

  private get(key: string): CreateRecord {
    const record = this.records.get(key);
    if (record === undefined) throw new Error(`unknown idempotency key ${key}`);
    return record;
  }
}
