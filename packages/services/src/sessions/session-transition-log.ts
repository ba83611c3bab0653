// Logs every session state change once, when it commits: a subscriber on the ORM's events sees each
// audit-trail row (SessionEvent) that transitionSession and insertSession write, holds it until its
// transaction commits, and drops it if the transaction rolls back, so no line claims a change that
// did not happen. One place, whichever service made the change.
import type { EventArgs, EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import { SessionEntity, SessionEventEntity, type SessionEventRow, type SessionRow } from '@gpu-shopper/db';
import type { LogFields, ServiceLogger } from '../logging/service-logger';

/** The knex transaction object MikroORM hands out; a savepoint points at the one it is nested in. */
interface Transaction {
  parentTransaction?: Transaction;
}

export class SessionTransitionLog implements EventSubscriber {
  /** Lines waiting for their (root) transaction to commit. */
  private readonly pending = new WeakMap<object, LogFields[]>();

  constructor(private readonly logger: Pick<ServiceLogger, 'warn' | 'info'>) {}

  afterCreate(args: EventArgs<unknown>): void {
    if (args.meta.className !== SessionEventEntity.meta.className) return;
    const event = args.entity as SessionEventRow;
    const session = args.em.getUnitOfWork().getById<SessionRow>(SessionEntity.meta.className, event.sessionId);
    const fields: LogFields = {
      sessionId: event.sessionId,
      from: event.fromState ?? null,
      to: event.toState,
      reason: event.reason,
      actor: event.actor,
      ...(session === undefined ? {} : { consumerId: session.consumerId, provider: session.provider ?? null, instanceId: session.providerInstanceId ?? null }),
    };
    const transaction = args.em.getTransactionContext<Transaction>();
    if (transaction === undefined) return this.write(fields);
    const root = rootOf(transaction);
    const waiting = this.pending.get(root);
    if (waiting === undefined) this.pending.set(root, [fields]);
    else waiting.push(fields);
  }

  afterTransactionCommit(args: TransactionEventArgs): void {
    if (args.transaction === undefined) return;
    const root = rootOf(args.transaction as Transaction);
    const waiting = this.pending.get(root);
    this.pending.delete(root);
    for (const fields of waiting ?? []) this.write(fields);
  }

  afterTransactionRollback(args: TransactionEventArgs): void {
    if (args.transaction !== undefined) this.pending.delete(rootOf(args.transaction as Transaction));
  }

  private write(fields: LogFields): void {
    (this.logger.info ?? this.logger.warn).call(this.logger, fields.from === null ? 'session created' : 'session state changed', fields);
  }
}

function rootOf(transaction: Transaction): Transaction {
  let current = transaction;
  while (current.parentTransaction !== undefined) current = current.parentTransaction;
  return current;
}
