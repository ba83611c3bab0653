import { Migration } from '@mikro-orm/migrations';

// Security (budget owners, key expiry and rotation, the audit log); mirrors the SQLite migration of
// the same name. Budgets from before this know no setter: they count as an operator's.
export class Migration20261129071303 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_events" ("id" serial primary key, "at" timestamptz not null, "action" varchar(255) not null, "actor_key_id" varchar(255) not null, "actor_consumer_id" varchar(255) null, "target" varchar(255) not null, "detail" jsonb not null);`);
    this.addSql(`create index "audit_events_at_index" on "audit_events" ("at");`);
    this.addSql(`create index "audit_events_action_index" on "audit_events" ("action");`);
    this.addSql(`create index "audit_events_target_index" on "audit_events" ("target");`);

    this.addSql(`alter table "api_keys" add column "expires_at" timestamptz null, add column "rotated_at" timestamptz null, add column "previous_hash" varchar(255) null, add column "previous_hash_valid_until" timestamptz null;`);
    this.addSql(`create index "api_keys_previous_hash_index" on "api_keys" ("previous_hash");`);

    this.addSql(`alter table "budgets" add column "set_by" text check ("set_by" in ('operator', 'consumer')) not null default 'operator';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_events" cascade;`);

    this.addSql(`drop index "api_keys_previous_hash_index";`);
    this.addSql(`alter table "api_keys" drop column "expires_at", drop column "rotated_at", drop column "previous_hash", drop column "previous_hash_valid_until";`);

    this.addSql(`alter table "budgets" drop column "set_by";`);
  }

}
