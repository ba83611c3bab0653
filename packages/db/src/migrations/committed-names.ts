// The committed migrations' names, per dialect, in order. A server start compares them with the
// database's migrations table and loads the migrator (umzug and its dependencies, several hundred
// modules) only when one is missing. A migration added to a dialect's index.ts goes here too;
// orm.test.ts fails until it does.
import type { Dialect } from '../orm';

export const COMMITTED_MIGRATION_NAMES: Readonly<Record<Dialect, readonly string[]>> = {
  sqlite: [
    'Migration20261127010919',
    'Migration20261127012201',
    'Migration20261127014615',
    'Migration20261129020000',
    'Migration20261129050000',
    'Migration20261129071303',
    'Migration20261201090000',
    'Migration20261202090000',
  ],
  postgresql: ['Migration20261129050000', 'Migration20261129071303', 'Migration20261201090000', 'Migration20261202090000'],
};
