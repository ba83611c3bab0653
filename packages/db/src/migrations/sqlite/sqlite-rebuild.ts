// SQLite cannot alter a column's check constraint: the table is rebuilt with the new definition
// (create, copy, drop, rename, indexes back), as SQLite's own documentation prescribes.
import type { Migration } from '@mikro-orm/migrations';

/** The values an enum column accepts, quoted as in the check constraint MikroORM writes. */
function checkClause(column: string, values: readonly string[]): string {
  return `check (\`${column}\` in (${values.map((value) => `'${value}'`).join(', ')}))`;
}

/**
 * Rebuilds `table` so that the enum `column` accepts `values`. Reads the table's own DDL and
 * indexes, so it works whatever columns earlier migrations added.
 */
export async function widenEnumColumn(migration: Migration, table: string, column: string, values: readonly string[]): Promise<void> {
  const [definition] = await migration.execute(`select sql from sqlite_master where type = 'table' and name = ?`, [table]);
  const ddl = String(definition?.sql ?? '');
  const pattern = new RegExp(`check \\(\`${column}\` in \\([^)]*\\)\\)`);
  if (!pattern.test(ddl)) throw new Error(`migration: no check constraint on ${table}.${column}`);
  const indexes = await migration.execute(`select sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null`, [table]);
  const rebuilt = `${table}__rebuild`;
  migration.addSql(ddl.replace(pattern, checkClause(column, values)).replace(/^create table [`"]?[^`"\s(]+[`"]?/i, `create table \`${rebuilt}\``));
  migration.addSql(`insert into \`${rebuilt}\` select * from \`${table}\`;`);
  migration.addSql(`drop table \`${table}\`;`);
  migration.addSql(`alter table \`${rebuilt}\` rename to \`${table}\`;`);
  for (const index of indexes) migration.addSql(`${String(index.sql)};`);
}
