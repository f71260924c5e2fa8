import path from 'node:path';
import { defineConfig } from 'vitest/config';
// With its extension: Vite's config loader wants one on relative imports.
import { pgbouncerUnavailable } from './tests/support/pgbouncer.ts';

// The files run a second time with the app behind PgBouncer in transaction mode (a pooled DATABASE_URL).
const POOLED_FILES = [
  'tests/integration/webhook-contract.test.ts',
  'tests/integration/concurrency.test.ts',
  'tests/integration/outages.test.ts',
  'tests/integration/monitor.test.ts',
];
// Without PgBouncer on a developer's machine, one skipped test says so; CI fails in the global setup.
const poolerMissing = Boolean(pgbouncerUnavailable()) && !process.env.CI;

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    coverage: {
      provider: 'v8',
      include: ['lib/billing/**/*.ts', 'lib/cache/**/*.ts'],
      exclude: ['**/*.test.ts'],
      reporter: ['text', 'json-summary'],
      thresholds: { lines: 95 },
    },
    projects: [
      {
        extends: true,
        test: {
          // The tests beside the code; the project starts an embedded PostgreSQL for them.
          name: 'lib-postgres',
          include: ['lib/**/*.test.ts', 'scripts/**/*.test.ts'],
          globalSetup: ['tests/setup/lib-postgres-global.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/setup/integration-global.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // Each file drives real servers; two cores run them best one at a time.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration-pooled',
          include: poolerMissing ? ['tests/setup/pooler-unavailable.test.ts'] : POOLED_FILES,
          globalSetup: ['tests/setup/integration-pooled-global.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
