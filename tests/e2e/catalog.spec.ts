import { expect, test } from '@playwright/test';
import { TEST_WEBHOOK_SECRETS } from '../support/app-server';
import { signatureHeader } from '../support/stripe-events';
import { baseUrl, screenshot, signIn, withDatabase } from './helpers';

// The catalog end to end, through the pricing page, the simulator and the webhook: Team with seats,
// a downgrade scheduled for the period end and undone, the clock reaching it, a cancel_at date, and
// a payment the bank asks the customer to confirm.

test.describe.configure({ mode: 'serial' });

const DAY_MS = 86_400_000;
const customer = `team+${Date.now()}@example.com`;
const pageDate = (date: Date) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(date);

type StoredSubscription = {
  stripe_subscription_id: string;
  stripe_customer_id: string;
  user_id: string;
  plan: string;
  quantity: number | null;
  current_period_end: Date;
  last_event_at: Date;
};

async function subscriptionOf(email: string): Promise<StoredSubscription | undefined> {
  return withDatabase(
    async (client) =>
      (
        await client.query<StoredSubscription>(
          `SELECT s.stripe_subscription_id, s.stripe_customer_id, s.user_id, s.plan, s.quantity, s.current_period_end, s.last_event_at
     FROM user_subscriptions s JOIN users u ON u.id = s.user_id WHERE u.email = $1`,
          [email],
        )
      ).rows[0],
  );
}

test('Team with 5 seats: checkout for 5 seats, the dashboard shows 5 seats and 5 team members', async ({ page }) => {
  await signIn(page, customer);
  await page.goto(`${baseUrl()}/pricing`);
  await expect(page.locator('section[aria-labelledby="plan-team_monthly"]')).toContainText('$15 / month per seat');
  await page.getByLabel('Seats for Team Monthly').fill('5');
  await page.getByRole('button', { name: 'Choose Team Monthly' }).click();
  await expect(page).toHaveURL(/\/simulator\/checkout\?price=team_monthly&seats=5/);
  await expect(page.getByTestId('checkout-seats')).toHaveText('5 × $15');
  // Team has no trial: only Pro offers one.
  await expect(page.getByRole('button', { name: /free trial/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Pay $75' }).click();
  await expect(page.getByRole('status')).toContainText("You're on Team", { timeout: 30_000 });
  await expect(page.getByRole('status')).toContainText('5 seats');
  await page.getByRole('link', { name: 'Go to your dashboard' }).click();

  await expect(page.getByTestId('plan-name')).toHaveText('Team');
  await expect(page.getByTestId('seats')).toHaveText('5 seats');
  await expect(page.getByTestId('features')).toContainText('5 team members');
  expect(await subscriptionOf(customer)).toMatchObject({ plan: 'team', quantity: 5 });
  await screenshot(page, 'dashboard-team-seats');
});

test('Team -> Pro is scheduled for the period end, shown with its date, and undone', async ({ page }) => {
  await signIn(page, customer);
  const periodEnd = pageDate((await subscriptionOf(customer))?.current_period_end ?? new Date());
  await page.goto(`${baseUrl()}/pricing`);
  await expect(page.getByTestId('proration-pro_monthly')).toHaveText(
    `Changes to Pro Monthly on ${periodEnd}, at the end of the period you have paid for; nothing is charged or refunded today.`,
  );
  await page.getByRole('button', { name: 'Schedule Pro Monthly' }).click();

  await expect(page).toHaveURL(/\/dashboard\?changed=switch_price/);
  await expect(page.getByTestId('pending-change')).toContainText(`Changes to Pro Monthly on ${periodEnd}.`);
  await expect(page.getByTestId('plan-name')).toHaveText('Team');
  await expect(page.getByTestId('seats')).toHaveText('5 seats');
  await screenshot(page, 'dashboard-pending-change');

  await page.getByTestId('pending-change').getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('change-notice')).toHaveText('The scheduled change is undone: your plan stays as it is.');
  await expect(page.getByTestId('pending-change')).toHaveCount(0);
  await expect(page.getByTestId('plan-name')).toHaveText('Team');
});

test('fewer seats are scheduled too, and take effect when the clock reaches the period end', async ({ page }) => {
  await signIn(page, customer);
  await page.goto(`${baseUrl()}/pricing`);
  await page.getByLabel('Seats for Team Monthly').fill('3');
  await page.getByRole('button', { name: 'Change seats' }).click();
  await expect(page.getByTestId('pending-change')).toContainText('Changes to Team Monthly, 3 seats on');
  await expect(page.getByTestId('seats')).toHaveText('5 seats');

  await page.getByRole('button', { name: 'Manage billing' }).click();
  await page.getByRole('button', { name: 'Advance the clock to the period end' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('seats')).toHaveText('3 seats');
  await expect(page.getByTestId('pending-change')).toHaveCount(0);
  expect(await subscriptionOf(customer)).toMatchObject({ plan: 'team', quantity: 3 });
});

test('the bank asks to confirm a payment: a banner sends the customer to confirm it', async ({ page }) => {
  await signIn(page, customer);
  await page.getByRole('button', { name: 'Manage billing' }).click();
  await page.getByRole('button', { name: /Ask to confirm the next payment/ }).click();
  await expect(page.getByTestId('payment-action-banner')).toContainText('Your bank asks you to confirm your last payment.');
  await screenshot(page, 'dashboard-payment-action');
  await page.getByRole('link', { name: 'Confirm your payment' }).click();
  await expect(page).toHaveURL(/\/simulator\/invoice\?invoice=in_/);
  await page.getByRole('button', { name: 'Confirm payment' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('payment-action-banner')).toHaveCount(0);
});

test('a cancel_at date (set in the portal, flexible billing) shows "Cancels on" and can be resumed', async ({ page }) => {
  await signIn(page, customer);
  const stored = await subscriptionOf(customer);
  if (!stored) throw new Error('no subscription');
  const cancelAt = Math.floor((Date.now() + 10 * DAY_MS) / 1000);
  const created = Math.max(Math.floor(Date.now() / 1000), Math.floor(stored.last_event_at.getTime() / 1000) + 1);
  const periodEnd = Math.floor(stored.current_period_end.getTime() / 1000);
  // What Stripe sends when the portal (flexible billing mode) sets a cancel date: cancel_at, not cancel_at_period_end.
  const body = JSON.stringify({
    id: `evt_e2e_cancel_at_${Date.now()}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    livemode: false,
    type: 'customer.subscription.updated',
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: {
      object: {
        id: stored.stripe_subscription_id,
        object: 'subscription',
        customer: stored.stripe_customer_id,
        status: 'active',
        metadata: { user_id: stored.user_id },
        cancel_at_period_end: false,
        cancel_at: cancelAt,
        canceled_at: created,
        schedule: null,
        items: {
          object: 'list',
          data: [
            {
              quantity: 3,
              current_period_start: periodEnd - 30 * 86_400,
              current_period_end: periodEnd,
              price: { id: 'price_sim_team_monthly', lookup_key: 'team_monthly', recurring: { interval: 'month' } },
            },
          ],
        },
      },
      previous_attributes: { cancel_at: null, canceled_at: null },
    },
  });
  const [secret] = TEST_WEBHOOK_SECRETS;
  const response = await page.request.post(`${baseUrl()}/api/webhooks/stripe`, {
    data: body,
    headers: { 'content-type': 'application/json', 'stripe-signature': signatureHeader(body, secret ?? '') },
  });
  expect(response.status()).toBe(200);

  await page.goto(`${baseUrl()}/dashboard`);
  await expect(page.getByTestId('renewal-label')).toHaveText('Cancels on');
  await expect(page.getByTestId('renewal-date')).toHaveText(pageDate(new Date(cancelAt * 1000)));
  await expect(page.getByTestId('subscription-note')).toHaveText(
    `Cancels on ${pageDate(new Date(cancelAt * 1000))}. Team stays on until then.`,
  );
  await screenshot(page, 'dashboard-cancel-at');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('renewal-label')).toHaveText('Renews on');
});
