import { Migration } from '@mikro-orm/migrations';

export class Migration20261127012201 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`alerts\` (\`id\` text not null, \`created_at\` datetime not null, \`kind\` text check (\`kind\` in ('orphan', 'heartbeat_lost', 'listing_failed', 'teardown_stuck', 'cost_drift', 'idle', 'reservation_expired', 'budget')) not null, \`message\` text not null, \`session_id\` text null, \`consumer_id\` text null, \`provider\` text null, \`instance_id\` text null, \`resolved_at\` datetime null, \`detail\` json null, primary key (\`id\`));`);
    this.addSql(`create index \`alerts_kind_index\` on \`alerts\` (\`kind\`);`);
    this.addSql(`create index \`alerts_session_id_index\` on \`alerts\` (\`session_id\`);`);

    this.addSql(`create table \`budget_alerts\` (\`id\` integer not null primary key autoincrement, \`budget_id\` text not null, \`period_start\` datetime not null, \`threshold_percent\` integer not null, \`spent_micros\` integer not null, \`fired_at\` datetime not null);`);
    this.addSql(`create index \`budget_alerts_budget_id_index\` on \`budget_alerts\` (\`budget_id\`);`);
    this.addSql(`create unique index \`budget_alerts_budget_id_period_start_threshold_percent_unique\` on \`budget_alerts\` (\`budget_id\`, \`period_start\`, \`threshold_percent\`);`);

    this.addSql(`create table \`cost_reconciliations\` (\`id\` integer not null primary key autoincrement, \`session_id\` text not null, \`consumer_id\` text not null, \`provider\` text check (\`provider\` in ('vastai', 'tensordock')) not null, \`from\` datetime not null, \`to\` datetime not null, \`ledger_micros\` integer not null, \`provider_micros\` integer not null, \`difference_ratio\` double null, \`checked_at\` datetime not null);`);
    this.addSql(`create index \`cost_reconciliations_session_id_index\` on \`cost_reconciliations\` (\`session_id\`);`);
    this.addSql(`create index \`cost_reconciliations_consumer_id_index\` on \`cost_reconciliations\` (\`consumer_id\`);`);

    this.addSql(`create table \`override_requests\` (\`id\` text not null, \`created_at\` datetime not null, \`session_id\` text not null, \`consumer_id\` text not null, \`requested_ends_at\` datetime not null, \`extra_hours\` integer not null, \`status\` text check (\`status\` in ('pending', 'approved', 'denied')) not null, \`requested_by\` text not null, \`decided_by\` text null, \`decided_at\` datetime null, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`create index \`override_requests_session_id_index\` on \`override_requests\` (\`session_id\`);`);
    this.addSql(`create index \`override_requests_consumer_id_index\` on \`override_requests\` (\`consumer_id\`);`);
    this.addSql(`create index \`override_requests_status_index\` on \`override_requests\` (\`status\`);`);

    this.addSql(`create table \`provider_credentials\` (\`provider\` text check (\`provider\` in ('vastai', 'tensordock')) not null, \`key_encrypted\` text not null, \`hint\` text not null, \`updated_at\` datetime not null, \`updated_by\` text not null, primary key (\`provider\`));`);

    this.addSql(`create table \`provision_attempts\` (\`id\` integer not null primary key autoincrement, \`session_id\` text not null, \`attempt\` integer not null, \`provider\` text check (\`provider\` in ('vastai', 'tensordock')) not null, \`offer_id\` text not null, \`instance_id\` text null, \`outcome\` text check (\`outcome\` in ('pending', 'created', 'offer_gone', 'failed', 'deadline')) not null, \`error\` text null, \`started_at\` datetime not null, \`finished_at\` datetime null);`);
    this.addSql(`create index \`provision_attempts_session_id_index\` on \`provision_attempts\` (\`session_id\`);`);

    this.addSql(`create table \`usage_events\` (\`id\` integer not null primary key autoincrement, \`session_id\` text not null, \`consumer_id\` text not null, \`provider\` text check (\`provider\` in ('vastai', 'tensordock')) not null, \`instance_id\` text not null, \`kind\` text check (\`kind\` in ('compute_started', 'compute_stopped', 'storage_started', 'storage_stopped')) not null, \`at\` datetime not null);`);
    this.addSql(`create index \`usage_events_session_id_index\` on \`usage_events\` (\`session_id\`);`);
    this.addSql(`create index \`usage_events_consumer_id_index\` on \`usage_events\` (\`consumer_id\`);`);
    this.addSql(`create index \`usage_events_at_index\` on \`usage_events\` (\`at\`);`);

    this.addSql(`create table \`webhook_deliveries\` (\`id\` text not null, \`created_at\` datetime not null, \`consumer_id\` text null, \`event\` text not null, \`url\` text not null, \`payload\` json not null, \`status\` text check (\`status\` in ('pending', 'delivered', 'failed')) not null, \`attempts\` integer not null default 0, \`next_attempt_at\` datetime null, \`last_error\` text null, \`delivered_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`webhook_deliveries_consumer_id_index\` on \`webhook_deliveries\` (\`consumer_id\`);`);
    this.addSql(`create index \`webhook_deliveries_status_index\` on \`webhook_deliveries\` (\`status\`);`);

    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`budgets__temp_alter\` (\`id\` text not null, \`created_at\` datetime not null, \`consumer_id\` text null, \`limit_micros\` integer not null, \`period\` text check (\`period\` in ('day', 'month', 'total')) not null, \`thresholds_percent\` json not null, \`webhook_url\` text null, \`action\` text check (\`action\` in ('alert', 'block', 'shutdown')) not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`insert into \`budgets__temp_alter\` select \`id\`, \`created_at\`, \`consumer_id\`, \`limit_micros\`, \`period\`, \`thresholds_percent\`, \`webhook_url\`, \`action\`, \`updated_at\`, \`version\` from \`budgets\`;`);
    this.addSql(`drop table \`budgets\`;`);
    this.addSql(`alter table \`budgets__temp_alter\` rename to \`budgets\`;`);
    this.addSql(`create index \`budgets_consumer_id_index\` on \`budgets\` (\`consumer_id\`);`);
    this.addSql(`pragma foreign_keys = on;`);
    this.addSql(`alter table \`consumers\` add column \`webhook_url\` text null;`);
    this.addSql(`alter table \`consumers\` add column \`webhook_secret_encrypted\` text null;`);

    this.addSql(`alter table \`sessions\` add column \`compute_per_hour_usd\` double null;`);
    this.addSql(`alter table \`sessions\` add column \`storage_per_hour_usd\` double null;`);
    this.addSql(`alter table \`sessions\` add column \`disk_gb\` integer null;`);
    this.addSql(`alter table \`sessions\` add column \`storage_policy\` text check (\`storage_policy\` in ('preserve', 'destroy')) null;`);
    this.addSql(`alter table \`sessions\` add column \`instance_state\` text null;`);
    this.addSql(`alter table \`sessions\` add column \`provision_attempts\` integer not null default 0;`);
    this.addSql(`alter table \`sessions\` add column \`provision_deadline_at\` datetime null;`);
    this.addSql(`alter table \`sessions\` add column \`ssh_host\` text null;`);
    this.addSql(`alter table \`sessions\` add column \`ssh_port\` integer null;`);
    this.addSql(`alter table \`sessions\` add column \`ssh_user\` text null;`);
    this.addSql(`alter table \`sessions\` add column \`ssh_public_key\` text null;`);
    this.addSql(`alter table \`sessions\` add column \`ssh_private_key_encrypted\` text null;`);
    this.addSql(`alter table \`sessions\` add column \`node_endpoint\` text null;`);
    this.addSql(`alter table \`sessions\` add column \`node_token_hash\` text null;`);
    this.addSql(`alter table \`sessions\` add column \`node_token_encrypted\` text null;`);
    this.addSql(`alter table \`sessions\` add column \`last_heartbeat_at\` datetime null;`);
    this.addSql(`alter table \`sessions\` add column \`agent_idle\` integer not null default false;`);
    this.addSql(`alter table \`sessions\` add column \`agent_idle_since\` datetime null;`);
    this.addSql(`alter table \`sessions\` add column \`heartbeat_alerted_at\` datetime null;`);
    this.addSql(`alter table \`sessions\` add column \`expiring_notified_at\` datetime null;`);
    this.addSql(`alter table \`sessions\` add column \`grace_ends_at\` datetime null;`);
    this.addSql(`alter table \`sessions\` add column \`shutdown_requested_at\` datetime null;`);
    this.addSql(`alter table \`sessions\` add column \`next_teardown_at\` datetime null;`);
    this.addSql(`alter table \`sessions\` add column \`teardown_attempts\` integer not null default 0;`);
    this.addSql(`create index \`sessions_node_token_hash_index\` on \`sessions\` (\`node_token_hash\`);`);

    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`session_events__temp_alter\` (\`id\` integer not null primary key autoincrement, \`session_id\` text not null, \`at\` datetime not null, \`from_state\` text check (\`from_state\` in ('provisioning', 'ready', 'stopping', 'stopped', 'terminated', 'failed')) null, \`to_state\` text check (\`to_state\` in ('provisioning', 'ready', 'stopping', 'stopped', 'terminated', 'failed')) not null, \`reason\` text not null, \`actor\` text not null);`);
    this.addSql(`insert into \`session_events__temp_alter\` select \`id\`, \`session_id\`, \`at\`, \`from_state\`, \`to_state\`, \`reason\`, \`actor\` from \`session_events\`;`);
    this.addSql(`drop table \`session_events\`;`);
    this.addSql(`alter table \`session_events__temp_alter\` rename to \`session_events\`;`);
    this.addSql(`create index \`session_events_session_id_index\` on \`session_events\` (\`session_id\`);`);
    this.addSql(`pragma foreign_keys = on;`);
  }

}
