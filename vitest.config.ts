import path from 'node:path';
import { defineConfig } from 'vitest/config';

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
          name: 'unit',
          include: ['lib/**/*.test.ts', 'scripts/**/*.test.ts'],
          globalSetup: ['tests/setup/unit-global.ts'],
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
    ],
  },
});
