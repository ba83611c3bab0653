// PostgreSQL helpers for whatever runs against a real server outside vitest's database fixture:
// benchmarks, the chaos harness, the migration script.
export * from './postgres-scratch';
export * from './postgres-server';
