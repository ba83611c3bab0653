import { Migration } from '@mikro-orm/migrations';

// Scale-out (issue 10): named leases for singleton jobs, a lifecycle lease on each session, and a
// claim on each webhook delivery. Written by hand: the generated diff also rebuilds every table with
// a check constraint (SQLite's comparator cannot read them back), and the money columns' move to
// bigint changes nothing in SQLite, whose integers are 64-bit already.
export class Migration20261129050000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table `leases` (`name` text not null, `owner` text not null, `token` text not null, `acquired_at` datetime not null, `expires_at` datetime not null, primary key (`name`));');
    this.addSql('alter table `sessions` add column `lock_owner` text null;');
    this.addSql('alter table `sessions` add column `lock_token` text null;');
    this.addSql('alter table `sessions` add column `lock_expires_at` datetime null;');
    this.addSql('alter table `webhook_deliveries` add column `claim_token` text null;');
    this.addSql('alter table `webhook_deliveries` add column `claim_expires_at` datetime null;');
    // The deadline tick looks only at sessions near or past these.
    for (const column of ['reservation_ends_at', 'hard_max_ends_at', 'last_heartbeat_at', 'grace_ends_at']) {
      this.addSql(`create index \`sessions_${column}_index\` on \`sessions\` (\`${column}\`);`);
    }
    this.addSql('create index `sessions_agent_idle_state_index` on `sessions` (`agent_idle`, `state`);');
  }

  override async down(): Promise<void> {
    this.addSql('drop index `sessions_agent_idle_state_index`;');
    for (const column of ['reservation_ends_at', 'hard_max_ends_at', 'last_heartbeat_at', 'grace_ends_at']) this.addSql(`drop index \`sessions_${column}_index\`;`);
    this.addSql('drop table `leases`;');
    for (const column of ['lock_owner', 'lock_token', 'lock_expires_at']) this.addSql(`alter table \`sessions\` drop column \`${column}\`;`);
    for (const column of ['claim_token', 'claim_expires_at']) this.addSql(`alter table \`webhook_deliveries\` drop column \`${column}\`;`);
  }
}
