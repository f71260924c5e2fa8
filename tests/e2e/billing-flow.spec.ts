import { expect, test } from '@playwright/test';
import { ADMIN_EMAIL } from './global-setup';
import { baseUrl, screenshot, signIn, withDatabase } from './helpers';

test.describe.configure({ mode: 'serial' });

const customer = `jenny+${Date.now()}@example.com`;

test('sign in -> pricing -> annual -> simulator checkout -> activation -> Pro dashboard', async ({ page }) => {
  await signIn(page, customer);
  await expect(page.getByTestId('plan-name')).toHaveText('Free');
  await page.goto(`${baseUrl()}/dashboard/analytics`);
  await expect(page.getByTestId('feature-locked')).toBeVisible();

  await page.goto(`${baseUrl()}/pricing`);
  await expect(page.locator('#plan-free')).toContainText('Current plan');
  await expect(page.locator('#plan-pro_annual')).toContainText('Save $40 a year');
  await screenshot(page, 'pricing');
  await page.getByRole('button', { name: 'Choose Pro Annual' }).click();

  await expect(page).toHaveURL(/\/simulator\/checkout\?price=/);
  await expect(page.getByRole('note')).toContainText('TEST MODE SIMULATOR');
  await screenshot(page, 'simulator-checkout');
  await page.getByRole('button', { name: 'Pay $200' }).click();

  await expect(page).toHaveURL(/\/checkout\/success\?session_id=cs_test_/);
  await screenshot(page, 'checkout-success');
  await expect(page.getByRole('status')).toContainText("You're on Pro", { timeout: 30_000 });
  await expect(page.getByRole('status')).toContainText('Billed yearly');

  await page.getByRole('link', { name: 'Go to your dashboard' }).click();
  await expect(page.getByTestId('plan-name')).toHaveText('Pro');
  await expect(page.getByTestId('billing-period')).toHaveText('Annual');
  await expect(page.getByTestId('subscription-status')).toHaveText('active');
  await expect(page.getByTestId('renewal-date')).not.toHaveText('—');
  await screenshot(page, 'dashboard-pro');

  await page.goto(`${baseUrl()}/dashboard/analytics`);
  await expect(page.getByTestId('feature-unlocked')).toBeVisible();

  await page.goto(`${baseUrl()}/pricing`);
  await expect(page.locator('#plan-pro_annual')).toContainText('Current plan');
});

test('the admin page lists the events of that flow', async ({ page }) => {
  await signIn(page, ADMIN_EMAIL);
  await page.goto(`${baseUrl()}/admin/webhooks`);
  await expect(page.getByRole('heading', { name: 'Webhook events' })).toBeVisible();
  for (const type of ['customer.subscription.created', 'checkout.session.completed', 'invoice.payment_succeeded']) {
    await expect(page.getByRole('cell', { name: type, exact: true }).first()).toBeVisible();
  }
  // Other specs seed failed events too (admin-chart.spec.ts): the rate is over every event of the last 24 h.
  const { processed, failed } = (
    await withDatabase((client) =>
      client.query<{ processed: number; failed: number }>(
        `SELECT count(*) FILTER (WHERE status = 'processed')::int AS processed, count(*) FILTER (WHERE status = 'failed')::int AS failed
     FROM stripe_webhook_events WHERE received_at > now() - interval '24 hours'`,
      ),
    )
  ).rows[0]!;
  expect(processed).toBeGreaterThan(0);
  await expect(page.getByTestId('success-rate')).toHaveText(`${((processed * 100) / (processed + failed)).toFixed(1)}%`);
  await screenshot(page, 'admin-webhooks');

  // Other specs check out too (tests/e2e/auth.spec.ts): open this flow's checkout event, by its user.
  const checkouts = await withDatabase((client) =>
    client.query<{ id: string; email: string | null }>(
      `SELECT e.id, u.email FROM stripe_webhook_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.type = 'checkout.session.completed'`,
    ),
  );
  const flowCheckout = checkouts.rows.find((row) => row.email === customer);
  expect(flowCheckout).toBeDefined();
  await page.getByLabel('Type').fill('checkout.session.completed');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.locator('tbody tr')).toHaveCount(checkouts.rows.length);
  await page.getByRole('link', { name: flowCheckout?.id ?? '' }).click();
  await expect(page.getByTestId('event-status')).toHaveText('processed');
  await expect(page.getByLabel('Event payload')).toContainText('"client_reference_id"');
  await screenshot(page, 'admin-webhook-detail');
});

test('portal -> cancel -> dashboard shows Free', async ({ page }) => {
  await signIn(page, customer);
  await page.getByRole('button', { name: 'Manage billing' }).click();
  await expect(page).toHaveURL(/\/simulator\/portal$/);
  await screenshot(page, 'simulator-portal');
  await page.getByRole('button', { name: 'Cancel subscription' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('plan-name')).toHaveText('Free');
  await expect(page.getByTestId('subscription-status')).toHaveText('canceled');
  await page.goto(`${baseUrl()}/dashboard/analytics`);
  await expect(page.getByTestId('feature-locked')).toBeVisible();
});

test('a non-admin gets 404 on the admin pages', async ({ page }) => {
  const anonymous = await page.goto(`${baseUrl()}/admin/webhooks`);
  expect(anonymous?.status()).toBe(404);
  await signIn(page, customer);
  const signedIn = await page.goto(`${baseUrl()}/admin/webhooks`);
  expect(signedIn?.status()).toBe(404);
  const detail = await page.goto(`${baseUrl()}/admin/webhooks/evt_anything`);
  expect(detail?.status()).toBe(404);
});

test('an admin reprocesses a failed event from its detail page', async ({ page }) => {
  const eventId = `evt_e2e_failed_${Date.now()}`;
  const subscriptionId = `sub_e2e_${Date.now()}`;
  // An event that failed on a transient error (the database was down): stored with its payload.
  await withDatabase(async (client) => {
    const payload = {
      id: eventId,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      type: 'customer.subscription.updated',
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: {
        object: {
          id: subscriptionId,
          object: 'subscription',
          customer: 'cus_e2e',
          status: 'active',
          metadata: { user_id: 'user_e2e' },
          cancel_at_period_end: false,
          items: {
            object: 'list',
            data: [
              {
                current_period_end: 1900000000,
                price: { id: 'price_1PgagYB7WZ01zgkWq8YrLy20', lookup_key: 'pro_annual', recurring: { interval: 'year' } },
              },
            ],
          },
        },
      },
    };
    await client.query(
      `INSERT INTO stripe_webhook_events (id, type, api_version, status, attempts, last_error, object_id, payload, stripe_created_at)
       VALUES ($1, 'customer.subscription.updated', '2026-10-28.endive', 'failed', 2, 'Connection terminated unexpectedly', $2, $3, now())`,
      [eventId, subscriptionId, JSON.stringify(payload)],
    );
  });

  await signIn(page, ADMIN_EMAIL);
  await page.goto(`${baseUrl()}/admin/webhooks?status=failed`);
  await page.getByRole('link', { name: eventId }).click();
  await expect(page.getByTestId('event-status')).toHaveText('failed');
  await expect(page.getByTestId('event-last-error')).toHaveText('Connection terminated unexpectedly');
  await page.getByRole('button', { name: 'Reprocess event' }).click();
  await expect(page.getByRole('status')).toHaveText('Reprocessed: applied, the event is now processed.');
  await expect(page.getByTestId('event-status')).toHaveText('processed');
  await expect(page.getByTestId('event-attempts')).toHaveText('3');
  await expect(page.getByRole('button', { name: 'Reprocess event' })).toHaveCount(0);

  // An event from another API version is flagged in the list and on its page.
  const olderVersionId = `evt_e2e_version_${Date.now()}`;
  await withDatabase((client) =>
    client.query(
      `INSERT INTO stripe_webhook_events (id, type, api_version, status) VALUES ($1, 'customer.subscription.updated', '2025-01-27.acacia', 'processed')`,
      [olderVersionId],
    ),
  );
  await page.goto(`${baseUrl()}/admin/webhooks`);
  await expect(page.getByRole('row').filter({ hasText: olderVersionId })).toContainText('API 2025-01-27.acacia');
  await page.getByRole('link', { name: olderVersionId }).click();
  await expect(page.getByText('API version 2025-01-27.acacia differs from the pinned')).toBeVisible();

  const row = await withDatabase((client) =>
    client.query('SELECT status, billing_period FROM user_subscriptions WHERE stripe_subscription_id = $1', [subscriptionId]),
  );
  expect(row.rows[0]).toEqual({ status: 'active', billing_period: 'annual' });
});
