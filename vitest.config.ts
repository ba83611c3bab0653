// One vitest run over the whole workspace; coverage thresholds guard the domain, services and routers.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'sdk/src/**/*.test.ts', 'agent/src/**/*.test.ts', 'agent/test/**/*.test.ts', 'apps/server/test/**/*.test.ts'],
    reporters: ['default', './vitest.summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
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
