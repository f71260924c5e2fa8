// Reads every subscription of the Stripe account and applies it, healing drift (docs/operations.md "Sync").
//   npm run stripe:sync [-- --dry-run]
// Prints one summary line; exits 1 when the run stopped.
import './load-env';

const { syncStripeSubscriptions } = await import('../lib/billing/sync/sync-stripe-subscriptions');

const args = process.argv.slice(2);
if (args.some((arg) => arg !== '--dry-run')) {
  console.error('usage: npm run stripe:sync [-- --dry-run]');
  process.exit(2);
}
const dryRun = args.includes('--dry-run');

let code = 0;
try {
  const result = await syncStripeSubscriptions({ dryRun });
  const counts = `fetched ${result.fetched}, created ${result.created}, updated ${result.updated}, unchanged ${result.unchanged}, drift ${result.drift}, unlinked ${result.unlinked}`;
  console.log(
    `Stripe sync${dryRun ? ' (dry run, nothing applied)' : ''}: ${counts}${result.warning ? ` (warning: ${result.warning})` : ''}`,
  );
} catch (error) {
  console.error(`Stripe sync failed: ${error instanceof Error ? error.message : String(error)}`);
  code = 1;
}
process.exit(code);
