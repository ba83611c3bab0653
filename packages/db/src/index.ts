export * from './entities';
export * from './orm';
/** The ORM's entity manager, whichever SQL dialect is behind it. */
export type { EntityManager } from '@mikro-orm/knex';
export * from './database-lock';
export * from './advisory-locks';
