// Committed SQLite migrations, in order. Listed explicitly so that they work bundled and unbundled alike.
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127010919 } from './Migration20261127010919';
import { Migration20261127012201 } from './Migration20261127012201';
import { Migration20261127014615 } from './Migration20261127014615';
import { Migration20261129020000 } from './Migration20261129020000';
import { Migration20261129050000 } from './Migration20261129050000';
import { Migration20261129071303 } from './Migration20261129071303';
import { Migration20261201090000 } from './Migration20261201090000';
import { Migration20261202090000 } from './Migration20261202090000';

export const SQLITE_MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261127010919', class: Migration20261127010919 },
  { name: 'Migration20261127012201', class: Migration20261127012201 },
  { name: 'Migration20261127014615', class: Migration20261127014615 },
  { name: 'Migration20261129020000', class: Migration20261129020000 },
  { name: 'Migration20261129050000', class: Migration20261129050000 },
  { name: 'Migration20261129071303', class: Migration20261129071303 },
  { name: 'Migration20261201090000', class: Migration20261201090000 },
  { name: 'Migration20261202090000', class: Migration20261202090000 },
];
