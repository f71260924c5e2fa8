import { expect, type Page, test } from '@playwright/test';
import { baseUrl, screenshot, signIn, withDatabase } from './helpers';

test.describe.configure({ mode: 'serial' });

// The simulator's ids for the catalog prices (a real account has its own).
const MONTHLY = 'price_sim_pro_monthly';
const ANNUAL = 'price_sim_pro_annual';
const DAY_MS = 86_400_000;
const customer = `plan-switch+${Date.now()}@example.com`;

/** How the pages write a date ("Dec 29, 2026", UTC). */
const pageDate = (date: Date) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(date);

async function subscriptionRows(email: string) {
  return withDatabase(
    async (client) =>
      (
        await client.query<{
          stripe_price_id: string;
          billing_period: string;
          status: string;
          cancel_at_period_end: boolean;
          current_period_end: Date;
        }>(
          `SELECT s.stripe_price_id, s.billing_period, s.status, s.cancel_at_period_end, s.current_period_end
     FROM user_subscriptions s JOIN users u ON u.id = s.user_id WHERE u.email = $1`,
          [email],
        )
      ).rows,
  );
}

async function checkoutProMonthly(page: Page, button: 'Pay $20' | 'Start 14-day free trial') {
  await page.goto(`${baseUrl()}/pricing`);
  await page.getByRole('button', { name: 'Choose Pro Monthly' }).click();
  await expect(page).toHaveURL(/\/simulator\/checkout\?price=/);
  await page.getByRole('button', { name: button }).click();
  await expect(page.getByRole('status')).toContainText("You're on Pro", { timeout: 30_000 });
  await page.getByRole('link', { name: 'Go to your dashboard' }).click();
}

test('Pro Monthly -> switch to Pro Annual on the same subscription; a second checkout is refused', async ({ page }) => {
  await signIn(page, customer);
  await checkoutProMonthly(page, 'Pay $20');
  await expect(page.getByTestId('plan-name')).toHaveText('Pro');
  await expect(page.getByTestId('billing-period')).toHaveText('Monthly');

  await page.goto(`${baseUrl()}/pricing`);
  await expect(page.locator('#plan-pro_monthly')).toContainText('Current plan');
  await expect(page.getByRole('button', { name: /^Choose / })).toHaveCount(0);
  await expect(page.getByTestId('proration-pro_annual')).toHaveText(
    "You'll be charged $200 today for a new year of Pro Annual, minus a prorated credit for the unused time of your current Pro Monthly period. Any credit left over stays on your account and pays your next invoices.",
  );
  await screenshot(page, 'pricing-switch-plan');

  // A checkout posted anyway (an old tab, a replayed form) is refused and sent back to the switch.
  const refused = await page.request.post(`${baseUrl()}/api/checkout`, {
    form: { lookupKey: 'pro_annual' },
    maxRedirects: 0,
    headers: { origin: baseUrl(), accept: 'text/html' },
  });
  expect(refused.status()).toBe(303);
  expect(refused.headers().location).toBe(
    `${baseUrl()}/pricing?error=${encodeURIComponent('You already have a subscription. Switch plans here instead: a second checkout would bill you twice.')}`,
  );
  // An API client (no HTML accepted) reads the refusal's own status.
  const refusedJson = await page.request.post(`${baseUrl()}/api/checkout`, {
    form: { lookupKey: 'pro_annual' },
    maxRedirects: 0,
    headers: { origin: baseUrl() },
  });
  expect(refusedJson.status()).toBe(409);
  expect(await refusedJson.json()).toEqual({
    error: 'You already have a subscription. Switch plans here instead: a second checkout would bill you twice.',
  });
  await page.goto(`${baseUrl()}/simulator/checkout?price=pro_annual`);
  await expect(
    page.getByRole('alert').filter({ hasText: 'You already have a subscription: Stripe Checkout would open a second one.' }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: /^Pay / })).toHaveCount(0);
  expect(await subscriptionRows(customer)).toHaveLength(1);

  await page.goto(`${baseUrl()}/pricing`);
  await page.getByRole('button', { name: 'Switch to Pro Annual' }).click();
  await expect(page).toHaveURL(/\/dashboard\?changed=switch_price/);
  await expect(page.getByTestId('change-notice')).toHaveText("You're now on Pro Annual.");
  await expect(page.getByTestId('plan-name')).toHaveText('Pro');
  await expect(page.getByTestId('billing-period')).toHaveText('Annual');
  await expect(page.getByTestId('renewal-date')).toHaveText(pageDate(new Date(Date.now() + 365 * DAY_MS)));
  const rows = await subscriptionRows(customer);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ stripe_price_id: ANNUAL, billing_period: 'annual', status: 'active' });

  await page.goto(`${baseUrl()}/pricing`);
  await expect(page.locator('#plan-pro_annual')).toContainText('Current plan');
  // Annual to monthly is a downgrade: it waits for the period end.
  await expect(page.getByRole('button', { name: 'Schedule Pro Monthly' })).toBeVisible();
});

test('cancel at period end shows the date and can be resumed', async ({ page }) => {
  await signIn(page, customer);
  const [row] = await subscriptionRows(customer);
  const periodEnd = pageDate(row!.current_period_end);

  await page.getByRole('button', { name: 'Cancel at period end' }).click();
  await expect(page.getByTestId('subscription-note')).toHaveText(`Cancels on ${periodEnd}. Pro stays on until then.`);
  await expect(page.getByTestId('renewal-label')).toHaveText('Cancels on');
  await expect(page.getByTestId('plan-name')).toHaveText('Pro');
  expect((await subscriptionRows(customer))[0]?.cancel_at_period_end).toBe(true);
  await screenshot(page, 'dashboard-cancels-on');

  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('change-notice')).toHaveText('Your subscription continues: it renews as usual.');
  await expect(page.getByTestId('subscription-note')).toHaveCount(0);
  await expect(page.getByTestId('renewal-label')).toHaveText('Renews on');
  await expect(page.getByTestId('renewal-date')).toHaveText(periodEnd);
  expect((await subscriptionRows(customer))[0]?.cancel_at_period_end).toBe(false);
});

test('a declined renewal: past_due keeps Pro with a banner to update the card, then recovers', async ({ page }) => {
  await signIn(page, customer);
  await page.getByRole('button', { name: 'Manage billing' }).click();
  await expect(page).toHaveURL(/\/simulator\/portal$/);
  await page.getByRole('button', { name: 'Decline the next renewal' }).click();

  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('past-due-banner')).toContainText(
    'Your last payment failed. Stripe is retrying your card; Pro stays on while it retries.',
  );
  await expect(page.getByTestId('subscription-status')).toHaveText('past_due');
  await expect(page.getByTestId('plan-name')).toHaveText('Pro');
  await screenshot(page, 'dashboard-past-due');
  await page.goto(`${baseUrl()}/dashboard/analytics`);
  await expect(page.getByTestId('feature-unlocked')).toBeVisible();
  await page.goto(`${baseUrl()}/pricing`);
  await expect(page.locator('section[aria-labelledby="plan-pro_monthly"]')).toContainText(
    'Your last payment failed: update your card before switching plans.',
  );
  await expect(page.getByRole('button', { name: /^(Switch to|Schedule) / })).toHaveCount(0);

  await page.goto(`${baseUrl()}/dashboard`);
  await page.getByRole('button', { name: 'Update your card' }).click();
  await expect(page).toHaveURL(/\/simulator\/portal$/);
  await page.getByRole('button', { name: 'Update card and pay' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('subscription-status')).toHaveText('active');
  await expect(page.getByTestId('past-due-banner')).toHaveCount(0);
  await expect(page.getByTestId('plan-name')).toHaveText('Pro');
  expect(await subscriptionRows(customer)).toEqual([expect.objectContaining({ status: 'active', stripe_price_id: ANNUAL })]);
});

test('a trial shows its end date, and switching during it charges nothing today', async ({ page }) => {
  const trialist = `trial+${Date.now()}@example.com`;
  await signIn(page, trialist);
  await checkoutProMonthly(page, 'Start 14-day free trial');
  const trialEnd = pageDate(new Date(Date.now() + 14 * DAY_MS));
  await expect(page.getByTestId('subscription-status')).toHaveText('trialing');
  await expect(page.getByTestId('plan-name')).toHaveText('Pro');
  await expect(page.getByTestId('renewal-label')).toHaveText('Trial ends on');
  await expect(page.getByTestId('subscription-note')).toHaveText(`Trial ends on ${trialEnd}: the first payment is taken then.`);
  await screenshot(page, 'dashboard-trial');

  await page.goto(`${baseUrl()}/pricing`);
  await expect(page.getByTestId('proration-pro_annual')).toHaveText(
    `Your free trial continues until ${trialEnd}: nothing is charged today, and Pro Annual is billed when the trial ends.`,
  );
  expect(await subscriptionRows(trialist)).toEqual([expect.objectContaining({ status: 'trialing', stripe_price_id: MONTHLY })]);
});
