import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { deliver } from '../support/deliver';
import { TEST_WEBHOOK_SECRETS } from '../support/app-server';
import { eventBody } from '../support/stripe-events';
import { baseUrl, signIn, withDatabase } from './helpers';

test.describe.configure({ mode: 'serial' });

// The one administrator the e2e setup grants (admin:grant): no spec makes another.
const ADMIN = 'admin@example.com';
const id = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

async function signInAsAdmin(page: Page) {
  await signIn(page, ADMIN);
}

test('an administrator links an unlinked subscription and reads the user’s billing timeline', async ({ page }) => {
  const subscriptionId = id('sub');
  const customerId = id('cus');
  const email = `${id('subscriber')}@example.com`;
  const userId = id('user');
  await withDatabase(async (client) => {
    await client.query('INSERT INTO users (id, email) VALUES ($1, $2)', [userId, email]);
    await client.query(
      `INSERT INTO user_subscriptions (stripe_subscription_id, stripe_customer_id, status, plan, is_active) VALUES ($1, $2, 'active', 'pro', true)`,
      [subscriptionId, customerId],
    );
  });
  await signInAsAdmin(page);

  await page.goto(`${baseUrl()}/admin/webhooks`);
  const sync = page.getByRole('region', { name: 'Sync' });
  const row = sync.getByTestId('sync-unlinked').getByRole('row').filter({ hasText: subscriptionId });
  await expect(row).toContainText(customerId);
  await row.getByLabel(`User id or e-mail for ${subscriptionId}`).fill(email);
  await row.getByRole('button', { name: 'Link' }).click();
  await expect(page.getByTestId('sync-message')).toHaveText(`Linked ${subscriptionId} to user ${userId}.`);
  await expect(page.getByTestId('sync-unlinked').getByRole('row').filter({ hasText: subscriptionId })).toHaveCount(0);

  // A later event for that subscription, then the operator's question: why is this user on this plan?
  const [secret] = TEST_WEBHOOK_SECRETS as [string];
  const body = eventBody(
    'customer.subscription.updated.past_due',
    { subscriptionId, customerId, userId },
    { created: Math.floor(Date.now() / 1000) + 5 },
  );
  expect((await deliver(baseUrl(), body, { secret })).body).toMatchObject({ status: 'processed' });

  await page.getByRole('link', { name: /billing timeline/ }).click();
  await page.getByLabel('E-mail, user id, or Stripe customer id').fill(customerId);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByTestId('timeline-user')).toContainText(email);
  await expect(page.getByTestId('timeline-subscriptions')).toContainText('past_due');
  const entries = page.getByTestId('timeline-entries').getByRole('row');
  await expect(entries.nth(1)).toContainText('admin.link');
  await expect(entries.nth(1)).toContainText(`user_id: ∅ → ${userId}`);
  await expect(entries.nth(2)).toContainText('customer.subscription.updated');
  await expect(entries.nth(2)).toContainText('processed');
});

test('without a Stripe key, Sync now says what is missing', async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto(`${baseUrl()}/admin/webhooks`);
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByTestId('sync-message')).toHaveText("STRIPE_SECRET_KEY is not set: sync reads Stripe's subscriptions");
});

test('the timeline page is for administrators only', async ({ page }) => {
  await signIn(page, `${id('someone')}@example.com`);
  const response = await page.goto(`${baseUrl()}/admin/users?q=${encodeURIComponent(ADMIN)}`);
  expect(response?.status()).toBe(404);
});
