import { inject, it } from 'vitest';

// Runs in place of the pooled integration files when PgBouncer is missing on a developer's machine
// (CI fails instead): the run says, in the test report, that they did not run and why.
it('runs the webhook contract, concurrency and outage files through PgBouncer in transaction mode', (context) => {
  context.skip(`skipped because ${inject('poolerUnavailable')}`);
});
