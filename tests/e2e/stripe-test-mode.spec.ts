import { expect, test } from '@playwright/test';
import { baseUrl, signIn } from './helpers';

const key = process.env.STRIPE_SECRET_KEY ?? '';

// Real Stripe test mode: needs a test key and network access to api.stripe.com; offline it is
// reported as skipped with that reason.
test('checkout opens a real Stripe Checkout page in test mode', async ({ page }) => {
  test.skip(!key.startsWith('sk_test_'), 'needs STRIPE_SECRET_KEY=sk_test_... and network access to Stripe'); // skipped because: offline
  await signIn(page, `stripe-test+${Date.now()}@example.com`);
  await page.goto(`${baseUrl()}/pricing`);
  await page.getByRole('button', { name: 'Choose Pro Monthly' }).click();
  await expect(page).toHaveURL(/^https:\/\/checkout\.stripe\.com\//, { timeout: 30_000 });
});
