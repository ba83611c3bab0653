import { Migration } from '@mikro-orm/migrations';

// Written by hand: the SQLite schema diff re-creates every table with check constraints, and
// runs a pragma and an alter in one statement (SQLite then skips the alter).
export class Migration20261127014615 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table `sessions` add column `agent_ready` integer not null default false;');
  }

  override async down(): Promise<void> {
    this.addSql('alter table `sessions` drop column `agent_ready`;');
  }
}
