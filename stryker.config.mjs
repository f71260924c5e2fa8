// Mutation testing of the billing core (npm run test:mutation): how many deliberate small bugs in the
// webhook pipeline and handlers, the subscription upsert, the catalog, sync, reconciliation, plans,
// features and the feature cache the lib-postgres tests (beside the code) catch.
// Not part of npm test (it takes long); see docs/testing.md "Mutation testing".

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  mutate: [
    'lib/billing/webhook/**/*.ts',
    'lib/billing/reconcile/**/*.ts',
    'lib/billing/subscriptions/**/*.ts',
    'lib/billing/sync/**/*.ts',
    'lib/admin/get-billing-timeline.ts',
    'lib/billing/plans.ts',
    'lib/billing/catalog.ts',
    'lib/billing/resolve-catalog-price.ts',
    'lib/billing/list-catalog-price-ids.ts',
    'lib/billing/setup-stripe-account.ts',
    'lib/billing/get-features.ts',
    'lib/cache/**/*.ts',
    '!**/*.test.ts',
  ],
  // Each test run needs only the sources and the tests; the rest would slow every sandbox copy.
  ignorePatterns: [
    '.data',
    '.next',
    'coverage',
    'reports',
    'test-results',
    'playwright-report',
    'bench-results',
    'tests/e2e',
    'tests/integration',
  ],
  coverageAnalysis: 'perTest',
  // Two cores: two test runners, each with its own embedded PostgreSQL.
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
};

export default config;
