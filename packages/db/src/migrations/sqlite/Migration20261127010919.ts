import { Migration } from '@mikro-orm/migrations';

export class Migration20261127010919 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`api_keys\` (\`id\` text not null, \`created_at\` datetime not null, \`role\` text check (\`role\` in ('admin', 'consumer')) not null, \`consumer_id\` text null, \`prefix\` text not null, \`hash\` text not null, \`revoked_at\` datetime null, \`last_used_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`api_keys_consumer_id_index\` on \`api_keys\` (\`consumer_id\`);`);
    this.addSql(`create unique index \`api_keys_hash_unique\` on \`api_keys\` (\`hash\`);`);

    this.addSql(`create table \`budgets\` (\`id\` text not null, \`created_at\` datetime not null, \`consumer_id\` text null, \`limit_micros\` integer not null, \`period\` text check (\`period\` in ('day', 'month', 'total')) not null, \`thresholds_percent\` json not null, \`webhook_url\` text null, \`action\` text check (\`action\` in ('alert', 'block', 'shutdown')) not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`create index \`budgets_consumer_id_index\` on \`budgets\` (\`consumer_id\`);`);

    this.addSql(`create table \`consumers\` (\`id\` text not null, \`created_at\` datetime not null, \`name\` text not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`consumers_name_unique\` on \`consumers\` (\`name\`);`);

    this.addSql(`create table \`cost_entries\` (\`id\` integer not null primary key autoincrement, \`session_id\` text not null, \`consumer_id\` text not null, \`provider\` text check (\`provider\` in ('vastai', 'tensordock')) not null, \`gpu_model\` text not null, \`kind\` text check (\`kind\` in ('compute', 'storage')) not null, \`hour_start\` datetime not null, \`cost_micros\` integer not null);`);
    this.addSql(`create index \`cost_entries_session_id_index\` on \`cost_entries\` (\`session_id\`);`);
    this.addSql(`create index \`cost_entries_consumer_id_index\` on \`cost_entries\` (\`consumer_id\`);`);
    this.addSql(`create index \`cost_entries_hour_start_index\` on \`cost_entries\` (\`hour_start\`);`);
    this.addSql(`create unique index \`cost_entries_session_id_hour_start_kind_unique\` on \`cost_entries\` (\`session_id\`, \`hour_start\`, \`kind\`);`);

    this.addSql(`create table \`sessions\` (\`id\` text not null, \`created_at\` datetime not null, \`consumer_id\` text not null, \`state\` text check (\`state\` in ('provisioning', 'ready', 'stopping', 'stopped', 'terminated', 'failed')) not null, \`workload\` text check (\`workload\` in ('llm', 'training', 'batch')) not null, \`llm_model\` text null, \`offer_id\` text null, \`provider\` text check (\`provider\` in ('vastai', 'tensordock')) null, \`provider_instance_id\` text null, \`gpu_model\` text null, \`price_per_hour_usd\` double null, \`reservation_hours\` double not null, \`reservation_starts_at\` datetime not null, \`reservation_ends_at\` datetime not null, \`hard_max_ends_at\` datetime not null, \`label\` text not null, \`end_reason\` text check (\`end_reason\` in ('done', 'expired', 'idle', 'forced', 'orphan', 'provision_failed', 'budget', 'heartbeat_lost')) null, \`failure_reason\` text null, \`idempotency_key\` text null, \`updated_at\` datetime not null, \`ready_at\` datetime null, \`ended_at\` datetime null, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`create index \`sessions_consumer_id_index\` on \`sessions\` (\`consumer_id\`);`);
    this.addSql(`create index \`sessions_state_index\` on \`sessions\` (\`state\`);`);
    this.addSql(`create index \`sessions_provider_instance_id_index\` on \`sessions\` (\`provider_instance_id\`);`);
    this.addSql(`create unique index \`sessions_label_unique\` on \`sessions\` (\`label\`);`);
    this.addSql(`create unique index \`sessions_consumer_id_idempotency_key_unique\` on \`sessions\` (\`consumer_id\`, \`idempotency_key\`);`);

    this.addSql(`create table \`session_events\` (\`id\` integer not null primary key autoincrement, \`session_id\` text not null, \`at\` datetime not null, \`from_state\` text check (\`from_state\` in ('provisioning', 'ready', 'stopping', 'stopped', 'terminated', 'failed')) null, \`to_state\` text check (\`to_state\` in ('provisioning', 'ready', 'stopping', 'stopped', 'terminated', 'failed')) not null, \`reason\` text not null, \`actor\` text not null);`);
    this.addSql(`create index \`session_events_session_id_index\` on \`session_events\` (\`session_id\`);`);
  }

}
