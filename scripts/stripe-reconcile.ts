// Applies the Stripe events the app missed, from Stripe's Events API (see README "Reconciliation").
//   npm run stripe:reconcile [-- --since 2026-11-01]
// Prints one summary line; exits 1 when the run stopped or an event failed.
import './load-env';

const { z } = await import('zod');
const { reconcileStripeEvents } = await import('../lib/billing/reconcile/reconcile-stripe-events');

const sinceIndex = process.argv.indexOf('--since');
const sinceText = sinceIndex > -1 ? process.argv[sinceIndex + 1] : undefined;
const since = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .optional()
  .safeParse(sinceText);
if (!since.success || (sinceIndex > -1 && !sinceText)) {
  console.error('usage: npm run stripe:reconcile [-- --since YYYY-MM-DD | --since 2026-11-01T00:00:00Z]');
  process.exit(2);
}

let code = 0;
try {
  const result = await reconcileStripeEvents({ since: since.data ? new Date(since.data) : undefined });
  const counts = `fetched ${result.fetched}, processed ${result.processed}, already_processed ${result.already_processed}, stale ${result.stale}, ignored ${result.ignored}, failed ${result.failed}`;
  console.log(`Stripe reconciliation: ${counts}${result.warning ? ` (warning: ${result.warning})` : ''}`);
  if (result.failed > 0) code = 1;
} catch (error) {
  console.error(`Stripe reconciliation failed: ${error instanceof Error ? error.message : String(error)}`);
  code = 1;
}
process.exit(code);
