import { Migration } from '@mikro-orm/migrations';

// The whole schema as it stood when PostgreSQL support began (issue 10), generated from the entities.

export class Migration20261129050000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "alerts" ("id" varchar(255) not null, "created_at" timestamptz not null, "kind" text check ("kind" in ('orphan', 'heartbeat_lost', 'listing_failed', 'teardown_stuck', 'cost_drift', 'idle', 'reservation_expired', 'budget', 'instance_lost')) not null, "message" text not null, "session_id" varchar(255) null, "consumer_id" varchar(255) null, "provider" varchar(255) null, "instance_id" varchar(255) null, "resolved_at" timestamptz null, "detail" jsonb null, constraint "alerts_pkey" primary key ("id"));`);
    this.addSql(`create index "alerts_kind_index" on "alerts" ("kind");`);
    this.addSql(`create index "alerts_session_id_index" on "alerts" ("session_id");`);

    this.addSql(`create table "api_keys" ("id" varchar(255) not null, "created_at" timestamptz not null, "role" text check ("role" in ('admin', 'consumer')) not null, "consumer_id" varchar(255) null, "prefix" varchar(255) not null, "hash" varchar(255) not null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, constraint "api_keys_pkey" primary key ("id"));`);
    this.addSql(`create index "api_keys_consumer_id_index" on "api_keys" ("consumer_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_hash_unique" unique ("hash");`);

    this.addSql(`create table "budgets" ("id" varchar(255) not null, "created_at" timestamptz not null, "consumer_id" varchar(255) null, "limit_micros" bigint not null, "period" text check ("period" in ('day', 'month', 'total')) not null, "thresholds_percent" jsonb not null, "webhook_url" text null, "action" text check ("action" in ('alert', 'block', 'shutdown')) not null, "updated_at" timestamptz not null, "version" int not null default 1, constraint "budgets_pkey" primary key ("id"));`);
    this.addSql(`create index "budgets_consumer_id_index" on "budgets" ("consumer_id");`);

    this.addSql(`create table "budget_alerts" ("id" serial primary key, "budget_id" varchar(255) not null, "period_start" timestamptz not null, "threshold_percent" int not null, "spent_micros" bigint not null, "fired_at" timestamptz not null);`);
    this.addSql(`create index "budget_alerts_budget_id_index" on "budget_alerts" ("budget_id");`);
    this.addSql(`alter table "budget_alerts" add constraint "budget_alerts_budget_id_period_start_threshold_percent_unique" unique ("budget_id", "period_start", "threshold_percent");`);

    this.addSql(`create table "consumers" ("id" varchar(255) not null, "created_at" timestamptz not null, "name" varchar(255) not null, "webhook_url" text null, "webhook_secret_encrypted" text null, constraint "consumers_pkey" primary key ("id"));`);
    this.addSql(`alter table "consumers" add constraint "consumers_name_unique" unique ("name");`);

    this.addSql(`create table "cost_entries" ("id" serial primary key, "session_id" varchar(255) not null, "consumer_id" varchar(255) not null, "provider" text check ("provider" in ('vastai', 'tensordock')) not null, "gpu_model" varchar(255) not null, "kind" text check ("kind" in ('compute', 'storage', 'adjustment')) not null, "hour_start" timestamptz not null, "cost_micros" bigint not null);`);
    this.addSql(`create index "cost_entries_session_id_index" on "cost_entries" ("session_id");`);
    this.addSql(`create index "cost_entries_consumer_id_index" on "cost_entries" ("consumer_id");`);
    this.addSql(`create index "cost_entries_hour_start_index" on "cost_entries" ("hour_start");`);
    this.addSql(`alter table "cost_entries" add constraint "cost_entries_session_id_hour_start_kind_unique" unique ("session_id", "hour_start", "kind");`);

    this.addSql(`create table "cost_reconciliations" ("id" serial primary key, "session_id" varchar(255) not null, "consumer_id" varchar(255) not null, "provider" text check ("provider" in ('vastai', 'tensordock')) not null, "from" timestamptz not null, "to" timestamptz not null, "ledger_micros" bigint not null, "provider_micros" bigint not null, "difference_ratio" double precision null, "adjustment_micros" bigint not null default 0, "checked_at" timestamptz not null);`);
    this.addSql(`create index "cost_reconciliations_session_id_index" on "cost_reconciliations" ("session_id");`);
    this.addSql(`create index "cost_reconciliations_consumer_id_index" on "cost_reconciliations" ("consumer_id");`);

    this.addSql(`create table "leases" ("name" varchar(255) not null, "owner" varchar(255) not null, "token" varchar(255) not null, "acquired_at" timestamptz not null, "expires_at" timestamptz not null, constraint "leases_pkey" primary key ("name"));`);

    this.addSql(`create table "override_requests" ("id" varchar(255) not null, "created_at" timestamptz not null, "session_id" varchar(255) not null, "consumer_id" varchar(255) not null, "requested_ends_at" timestamptz not null, "extra_hours" int not null, "status" text check ("status" in ('pending', 'approved', 'denied')) not null, "requested_by" varchar(255) not null, "decided_by" varchar(255) null, "decided_at" timestamptz null, "version" int not null default 1, constraint "override_requests_pkey" primary key ("id"));`);
    this.addSql(`create index "override_requests_session_id_index" on "override_requests" ("session_id");`);
    this.addSql(`create index "override_requests_consumer_id_index" on "override_requests" ("consumer_id");`);
    this.addSql(`create index "override_requests_status_index" on "override_requests" ("status");`);

    this.addSql(`create table "provider_credentials" ("provider" text check ("provider" in ('vastai', 'tensordock')) not null, "key_encrypted" text not null, "hint" varchar(255) not null, "updated_at" timestamptz not null, "updated_by" varchar(255) not null, constraint "provider_credentials_pkey" primary key ("provider"));`);

    this.addSql(`create table "provision_attempts" ("id" serial primary key, "session_id" varchar(255) not null, "attempt" int not null, "provider" text check ("provider" in ('vastai', 'tensordock')) not null, "offer_id" varchar(255) not null, "instance_id" varchar(255) null, "outcome" text check ("outcome" in ('pending', 'created', 'offer_gone', 'failed', 'deadline', 'lost')) not null, "error" text null, "started_at" timestamptz not null, "finished_at" timestamptz null);`);
    this.addSql(`create index "provision_attempts_session_id_index" on "provision_attempts" ("session_id");`);

    this.addSql(`create table "sessions" ("id" varchar(255) not null, "created_at" timestamptz not null, "consumer_id" varchar(255) not null, "state" text check ("state" in ('provisioning', 'ready', 'stopping', 'stopped', 'terminated', 'failed')) not null, "workload" text check ("workload" in ('llm', 'training', 'batch')) not null, "llm_model" varchar(255) null, "offer_id" varchar(255) null, "provider" text check ("provider" in ('vastai', 'tensordock')) null, "provider_instance_id" varchar(255) null, "gpu_model" varchar(255) null, "price_per_hour_usd" double precision null, "reservation_hours" double precision not null, "reservation_starts_at" timestamptz not null, "reservation_ends_at" timestamptz not null, "hard_max_ends_at" timestamptz not null, "label" varchar(255) not null, "end_reason" text check ("end_reason" in ('done', 'expired', 'idle', 'forced', 'orphan', 'provision_failed', 'budget', 'heartbeat_lost', 'lost')) null, "failure_reason" text null, "idempotency_key" varchar(255) null, "request_fingerprint" varchar(255) null, "provision_request" jsonb null, "compute_per_hour_usd" double precision null, "storage_per_hour_usd" double precision null, "disk_gb" int null, "storage_policy" text check ("storage_policy" in ('preserve', 'destroy')) null, "instance_state" varchar(255) null, "provision_attempts" int not null default 0, "provision_deadline_at" timestamptz null, "ssh_host" varchar(255) null, "ssh_port" int null, "ssh_user" varchar(255) null, "ssh_public_key" text null, "ssh_private_key_encrypted" text null, "node_endpoint" text null, "node_token_hash" varchar(255) null, "node_token_encrypted" text null, "last_heartbeat_at" timestamptz null, "agent_ready" boolean not null default false, "agent_idle" boolean not null default false, "agent_idle_since" timestamptz null, "heartbeat_alerted_at" timestamptz null, "expiring_notified_at" timestamptz null, "grace_ends_at" timestamptz null, "shutdown_requested_at" timestamptz null, "instance_seen_at" timestamptz null, "instance_seen_running_at" timestamptz null, "instance_seen_not_running_at" timestamptz null, "agent_started_at" timestamptz null, "destroy_requested_at" timestamptz null, "next_teardown_at" timestamptz null, "teardown_attempts" int not null default 0, "lock_owner" varchar(255) null, "lock_token" varchar(255) null, "lock_expires_at" timestamptz null, "updated_at" timestamptz not null, "ready_at" timestamptz null, "ended_at" timestamptz null, "version" int not null default 1, constraint "sessions_pkey" primary key ("id"));`);
    // Room in every page for a row's new version: the provider sync rewrites when each instance was
    // seen, and with free space PostgreSQL updates in place (HOT) without touching the indexes.
    this.addSql(`alter table "sessions" set (fillfactor = 70);`);
    this.addSql(`create index "sessions_consumer_id_index" on "sessions" ("consumer_id");`);
    this.addSql(`create index "sessions_state_index" on "sessions" ("state");`);
    this.addSql(`create index "sessions_provider_instance_id_index" on "sessions" ("provider_instance_id");`);
    this.addSql(`create index "sessions_reservation_ends_at_index" on "sessions" ("reservation_ends_at");`);
    this.addSql(`create index "sessions_hard_max_ends_at_index" on "sessions" ("hard_max_ends_at");`);
    this.addSql(`alter table "sessions" add constraint "sessions_label_unique" unique ("label");`);
    this.addSql(`create index "sessions_node_token_hash_index" on "sessions" ("node_token_hash");`);
    this.addSql(`create index "sessions_last_heartbeat_at_index" on "sessions" ("last_heartbeat_at");`);
    this.addSql(`create index "sessions_grace_ends_at_index" on "sessions" ("grace_ends_at");`);
    this.addSql(`create index "sessions_agent_idle_state_index" on "sessions" ("agent_idle", "state");`);
    this.addSql(`alter table "sessions" add constraint "sessions_consumer_id_idempotency_key_unique" unique ("consumer_id", "idempotency_key");`);

    this.addSql(`create table "session_events" ("id" serial primary key, "session_id" varchar(255) not null, "at" timestamptz not null, "from_state" text check ("from_state" in ('provisioning', 'ready', 'stopping', 'stopped', 'terminated', 'failed')) null, "to_state" text check ("to_state" in ('provisioning', 'ready', 'stopping', 'stopped', 'terminated', 'failed')) not null, "reason" text not null, "actor" varchar(255) not null);`);
    this.addSql(`create index "session_events_session_id_index" on "session_events" ("session_id");`);

    this.addSql(`create table "usage_events" ("id" serial primary key, "session_id" varchar(255) not null, "consumer_id" varchar(255) not null, "provider" text check ("provider" in ('vastai', 'tensordock')) not null, "instance_id" varchar(255) not null, "kind" text check ("kind" in ('compute_started', 'compute_stopped', 'storage_started', 'storage_stopped')) not null, "at" timestamptz not null);`);
    this.addSql(`create index "usage_events_session_id_index" on "usage_events" ("session_id");`);
    this.addSql(`create index "usage_events_consumer_id_index" on "usage_events" ("consumer_id");`);
    this.addSql(`create index "usage_events_at_index" on "usage_events" ("at");`);

    this.addSql(`create table "webhook_deliveries" ("id" varchar(255) not null, "created_at" timestamptz not null, "consumer_id" varchar(255) null, "event" varchar(255) not null, "url" text not null, "payload" jsonb not null, "status" text check ("status" in ('pending', 'delivered', 'failed')) not null, "attempts" int not null default 0, "next_attempt_at" timestamptz null, "last_error" text null, "delivered_at" timestamptz null, "claim_token" varchar(255) null, "claim_expires_at" timestamptz null, constraint "webhook_deliveries_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_deliveries_consumer_id_index" on "webhook_deliveries" ("consumer_id");`);
    this.addSql(`create index "webhook_deliveries_status_index" on "webhook_deliveries" ("status");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "alerts" cascade;`);

    this.addSql(`drop table if exists "api_keys" cascade;`);

    this.addSql(`drop table if exists "budgets" cascade;`);

    this.addSql(`drop table if exists "budget_alerts" cascade;`);

    this.addSql(`drop table if exists "consumers" cascade;`);

    this.addSql(`drop table if exists "cost_entries" cascade;`);

    this.addSql(`drop table if exists "cost_reconciliations" cascade;`);

    this.addSql(`drop table if exists "leases" cascade;`);

    this.addSql(`drop table if exists "override_requests" cascade;`);

    this.addSql(`drop table if exists "provider_credentials" cascade;`);

    this.addSql(`drop table if exists "provision_attempts" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "session_events" cascade;`);

    this.addSql(`drop table if exists "usage_events" cascade;`);

    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);
  }

}
