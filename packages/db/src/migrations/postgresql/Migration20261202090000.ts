import { Migration } from '@mikro-orm/migrations';

// Provider truth (issue 9); mirrors the SQLite migration of the same name. When the node's agent said
// it was shutting down without being asked (its final heartbeat): the instance's end, when the
// provider then no longer has it.
export class Migration20261202090000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "sessions" add column "node_stopped_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "sessions" drop column "node_stopped_at";`);
  }

}
