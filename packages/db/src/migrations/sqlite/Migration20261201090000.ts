import { Migration } from '@mikro-orm/migrations';

// Lifecycle at scale (issue 13). The deadline tick's columns are indexed with the state in front:
// alone, a `state = 'ready'` term had SQLite (no statistics) read every ready session. Session lists
// are keyset-paged newest first on (created_at, id). Heartbeat loss reads only silences not yet
// announced: the next heartbeat clears heartbeat_alerted_at from now on, and an alert older than the
// node's last heartbeat is cleared here once.
const DEADLINE_COLUMNS = ['reservation_ends_at', 'hard_max_ends_at', 'last_heartbeat_at', 'grace_ends_at'] as const;

export class Migration20261201090000 extends Migration {
  override async up(): Promise<void> {
    for (const column of DEADLINE_COLUMNS) {
      this.addSql(`drop index \`sessions_${column}_index\`;`);
      this.addSql(`create index \`sessions_state_${column}_index\` on \`sessions\` (\`state\`, \`${column}\`);`);
    }
    this.addSql('create index `sessions_created_at_id_index` on `sessions` (`created_at`, `id`);');
    this.addSql('update `sessions` set `heartbeat_alerted_at` = null where `heartbeat_alerted_at` < `last_heartbeat_at`;');
  }

  override async down(): Promise<void> {
    this.addSql('drop index `sessions_created_at_id_index`;');
    for (const column of DEADLINE_COLUMNS) {
      this.addSql(`drop index \`sessions_state_${column}_index\`;`);
      this.addSql(`create index \`sessions_${column}_index\` on \`sessions\` (\`${column}\`);`);
    }
  }
}
