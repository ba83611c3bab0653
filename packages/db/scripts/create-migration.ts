// Writes a new migration from the difference between the entities and the committed migrations.
// Usage: npm run migration:create -w @gpu-shopper/db
import { MikroORM } from '@mikro-orm/sqlite';
import { fileURLToPath } from 'node:url';
import { ormConfig } from '../src/orm';

const migrationsPath = fileURLToPath(new URL('../src/migrations', import.meta.url));
const config = ormConfig({ dbPath: ':memory:' });
const orm = await MikroORM.init({ ...config, migrations: { ...config.migrations, path: migrationsPath, pathTs: migrationsPath, emit: 'ts' } });
await orm.getMigrator().up();
const result = await orm.getMigrator().createMigration(migrationsPath);
console.log(result.fileName ? `created ${result.fileName}; add it to src/migrations/index.ts` : 'no changes: nothing to migrate');
await orm.close();
