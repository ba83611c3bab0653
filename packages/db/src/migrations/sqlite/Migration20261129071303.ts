import { Migration } from '@mikro-orm/migrations';

// Security (budget owners, key expiry and rotation, the audit log). Budgets from before this know
// no setter: they count as an operator's, so a consumer cannot delete one it may not have set.
// Written by hand: the generated diff also rebuilds every table with a check constraint.
export class Migration20261129071303 extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table `audit_events` (`id` integer not null primary key autoincrement, `at` datetime not null, `action` text not null, `actor_key_id` text not null, `actor_consumer_id` text null, `target` text not null, `detail` json not null);');
    for (const column of ['at', 'action', 'target']) this.addSql(`create index \`audit_events_${column}_index\` on \`audit_events\` (\`${column}\`);`);
    for (const column of ['expires_at', 'rotated_at', 'previous_hash_valid_until']) this.addSql(`alter table \`api_keys\` add column \`${column}\` datetime null;`);
    this.addSql('alter table `api_keys` add column `previous_hash` text null;');
    this.addSql('create index `api_keys_previous_hash_index` on `api_keys` (`previous_hash`);');
    this.addSql("alter table `budgets` add column `set_by` text check (`set_by` in ('operator', 'consumer')) not null default 'operator';");
  }

  override async down(): Promise<void> {
    this.addSql('drop table `audit_events`;');
    this.addSql('drop index `api_keys_previous_hash_index`;');
    for (const column of ['expires_at', 'rotated_at', 'previous_hash', 'previous_hash_valid_until']) this.addSql(`alter table \`api_keys\` drop column \`${column}\`;`);
    this.addSql('alter table `budgets` drop column `set_by`;');
  }
}
