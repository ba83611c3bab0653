import { Migration } from '@mikro-orm/migrations';

// Lifecycle at scale (issue 13); mirrors the SQLite migration of the same name. The deadline tick's
// columns are indexed with the state in front; session lists are keyset-paged on (created_at, id);
// an alert older than the node's last heartbeat is cleared once (the heartbeat clears it from now on).
const DEADLINE_COLUMNS = ['reservation_ends_at', 'hard_max_ends_at', 'last_heartbeat_at', 'grace_ends_at'] as const;

export class Migration20261201090000 extends Migration {

  override async up(): Promise<void> {
    for (const column of DEADLINE_COLUMNS) {
      this.addSql(`drop index "sessions_${column}_index";`);
      this.addSql(`create index "sessions_state_${column}_index" on "sessions" ("state", "${column}");`);
    }
    this.addSql(`create index "sessions_created_at_id_index" on "sessions" ("created_at", "id");`);
    this.addSql(`update "sessions" set "heartbeat_alerted_at" = null where "heartbeat_alerted_at" < "last_heartbeat_at";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "sessions_created_at_id_index";`);
    for (const column of DEADLINE_COLUMNS) {
      this.addSql(`drop index "sessions_state_${column}_index";`);
      this.addSql(`create index "sessions_${column}_index" on "sessions" ("${column}");`);
    }
  }

}
