// Writes a new migration from the difference between the entities and the committed migrations,
// for one dialect. Usage:
//   npm run migration:create -w @gpu-shopper/db -- sqlite
//   npm run migration:create -w @gpu-shopper/db -- postgresql [postgres://admin URL; default postgres://postgres@127.0.0.1:5432/postgres]
// PostgreSQL needs a server: the script creates a scratch database there and drops it after.
// SQLite cannot alter check constraints: widening an enum needs a hand-written table rebuild
// (see migrations/sqlite/sqlite-rebuild.ts).
import { MikroORM } from '@mikro-orm/core';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ormConfig } from '../src/orm';
import { withScratchPostgresDatabase } from '../src/test-support/postgres-scratch';

const dialect = process.argv[2];
if (dialect !== 'sqlite' && dialect !== 'postgresql') {
  console.error('usage: create-migration sqlite|postgresql [admin URL]');
  process.exit(2);
}
const migrationsPath = fileURLToPath(new URL(`../src/migrations/${dialect}`, import.meta.url));

async function create(options: Parameters<typeof ormConfig>[0]): Promise<void> {
  const config = await ormConfig(options);
  const orm = await MikroORM.init({ ...config, migrations: { ...config.migrations, path: migrationsPath, pathTs: migrationsPath, emit: 'ts' } });
  try {
    await orm.getMigrator().up();
    const result = await orm.getMigrator().createMigration(migrationsPath);
    console.log(result.fileName ? `created ${dialect}/${result.fileName}; add it to src/migrations/${dialect}/index.ts` : 'no changes: nothing to migrate');
  } finally {
    await orm.close();
  }
}

if (dialect === 'sqlite') await create({ dbPath: ':memory:' });
else {
  const adminUrl = process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  await withScratchPostgresDatabase(adminUrl, `gs_migration_${randomBytes(4).toString('hex')}`, (databaseUrl) => create({ dbPath: ':memory:', databaseUrl }));
}
