// Makes the Stripe account of STRIPE_SECRET_KEY match lib/billing/catalog.ts (see docs/stripe-setup.md).
//   npm run stripe:setup [-- --dry-run] [-- --url https://<app>/api/webhooks/stripe]
// Idempotent: a second run changes nothing and says so. Exits 1 on a Stripe error, 2 on bad arguments.
import './load-env';

const { z } = await import('zod');
const { getStripe } = await import('../lib/billing/stripe-client');
const { setupStripeAccount } = await import('../lib/billing/setup-stripe-account');

const args = process.argv.slice(2);
const urlIndex = args.indexOf('--url');
const url = z
  .url({ protocol: /^https?$/ })
  .optional()
  .safeParse(urlIndex > -1 ? args[urlIndex + 1] : undefined);
const unknown = args.filter((arg, index) => arg !== '--dry-run' && arg !== '--url' && index !== urlIndex + 1);
if (!url.success || (urlIndex > -1 && !url.data) || unknown.length > 0) {
  console.error('usage: npm run stripe:setup [-- --dry-run] [-- --url https://<app>/api/webhooks/stripe]');
  process.exit(2);
}

const stripe = getStripe();
if (!stripe) {
  console.error('STRIPE_SECRET_KEY is not set: put a test-mode key (sk_test_...) in .env.local.');
  process.exit(2);
}

try {
  const dryRun = args.includes('--dry-run');
  const returnUrl = url.data ? `${new URL(url.data).origin}/dashboard` : null;
  const { webhookSecret } = await setupStripeAccount({ stripe, webhookUrl: url.data ?? null, dryRun, returnUrl });
  if (webhookSecret) {
    console.log(`\nThe endpoint's signing secret (shown once; Stripe will not show it again):\n  STRIPE_WEBHOOK_SECRET=${webhookSecret}`);
  }
  process.exit(0);
} catch (error) {
  console.error(`Stripe setup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
