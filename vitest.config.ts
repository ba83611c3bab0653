// One vitest run over the whole workspace, in two projects: everything on SQLite, and the tests
// that touch the database (db, services, API) again on PostgreSQL. Coverage thresholds guard the
// domain, services and routers.
import { defineConfig } from 'vitest/config';

const DATABASE_TESTS = ['packages/db/src/**/*.test.ts', 'packages/services/src/**/*.test.ts', 'packages/api/src/**/*.test.ts'];

export default defineConfig({
  // In the repository @gpu-shopper/sdk resolves to its source (see its package.json), not its build.
  ssr: { resolve: { conditions: ['@gpu-shopper/source', 'module', 'node', 'development|production'] } },
  test: {
    reporters: ['default', './vitest.summary-reporter.ts'],
    globalSetup: ['./vitest.tmpdir-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'sdk/src/**/*.test.ts', 'agent/src/**/*.test.ts', 'agent/test/**/*.test.ts', 'apps/server/test/**/*.test.ts', 'apps/console/test/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgresql',
          include: DATABASE_TESTS,
          globalSetup: ['packages/db/src/test-support/postgres-global-setup.ts'],
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts', 'sdk/src/**/*.ts', 'agent/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/test-support/**', 'packages/bench/**', '**/migrations/**'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        'packages/domain/src/**/*.ts': { lines: 85 },
        'packages/services/src/**/*.ts': { lines: 85 },
        'packages/api/src/**/*.ts': { lines: 85 },
      },
    },
  },
});
