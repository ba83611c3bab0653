export * from './entities';
export * from './orm';
export type { EntityManager } from '@mikro-orm/sqlite';
export * from './database-lock';
