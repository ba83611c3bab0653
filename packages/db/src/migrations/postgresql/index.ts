// Committed PostgreSQL migrations, in order. PostgreSQL support began with the schema as it then
// stood, so its first migration creates it whole; later ones mirror the SQLite ones.
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261129050000 } from './Migration20261129050000';
import { Migration20261129071303 } from './Migration20261129071303';
import { Migration20261201090000 } from './Migration20261201090000';
import { Migration20261202090000 } from './Migration20261202090000';

export const POSTGRESQL_MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261129050000', class: Migration20261129050000 },
  { name: 'Migration20261129071303', class: Migration20261129071303 },
  { name: 'Migration20261201090000', class: Migration20261201090000 },
  { name: 'Migration20261202090000', class: Migration20261202090000 },
];
