import { Migration } from '@mikro-orm/migrations';
import { widenEnumColumn } from './sqlite-rebuild';

// Provider truth (issue 9): sessions the provider ended behind our back (`lost`), what the provider
// was last seen doing, the request behind an idempotency key, and ledger adjustments from the bill.
// Written by hand: SQLite needs a table rebuild to widen a check constraint.
export class Migration20261129020000 extends Migration {
  override async up(): Promise<void> {
    await widenEnumColumn(this, 'sessions', 'end_reason', ['done', 'expired', 'idle', 'forced', 'orphan', 'provision_failed', 'budget', 'heartbeat_lost', 'lost']);
    await widenEnumColumn(this, 'alerts', 'kind', ['orphan', 'heartbeat_lost', 'listing_failed', 'teardown_stuck', 'cost_drift', 'idle', 'reservation_expired', 'budget', 'instance_lost']);
    await widenEnumColumn(this, 'cost_entries', 'kind', ['compute', 'storage', 'adjustment']);
    await widenEnumColumn(this, 'provision_attempts', 'outcome', ['pending', 'created', 'offer_gone', 'failed', 'deadline', 'lost']);
    this.addSql('alter table `sessions` add column `request_fingerprint` text null;');
    this.addSql('alter table `sessions` add column `provision_request` json null;');
    this.addSql('alter table `sessions` add column `instance_seen_at` datetime null;');
    this.addSql('alter table `sessions` add column `instance_seen_running_at` datetime null;');
    this.addSql('alter table `sessions` add column `instance_seen_not_running_at` datetime null;');
    this.addSql('alter table `sessions` add column `destroy_requested_at` datetime null;');
    this.addSql('alter table `sessions` add column `agent_started_at` datetime null;');
    this.addSql('alter table `cost_reconciliations` add column `adjustment_micros` integer not null default 0;');
  }

  override async down(): Promise<void> {
    for (const column of ['request_fingerprint', 'provision_request', 'instance_seen_at', 'instance_seen_running_at', 'instance_seen_not_running_at', 'destroy_requested_at', 'agent_started_at']) {
      this.addSql(`alter table \`sessions\` drop column \`${column}\`;`);
    }
    this.addSql('alter table `cost_reconciliations` drop column `adjustment_micros`;');
  }
}
