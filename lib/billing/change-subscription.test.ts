import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testPool } from '../../tests/support/database';
import { startStripeApiDouble } from '../../tests/support/stripe-api-double';
import { randomId } from '../../tests/support/stripe-events';
import { applySubscriptionChange, dashboardUrlAfterChange, parseSubscriptionChange, prepareSubscriptionChange, prorationStatement } from './change-subscription';
import { PRICES } from './plans';

const MONTHLY = 'price_1PgafmB7WZ01zgkW6dKueIc5';
const ANNUAL = 'price_1PgagYB7WZ01zgkWq8YrLy20';

let double: Awaited<ReturnType<typeof startStripeApiDouble>>;
const pool = testPool(inject('databaseUrl'));
beforeAll(async () => { double = await startStripeApiDouble(); });
afterAll(async () => {
  await double.close();
  await pool.end();
});

/** A paying user: a stored row and the same subscription at Stripe (the double). */
async function payingCustomer({ status = 'active', cancelAtPeriodEnd = false } = {}) {
  const user = { id: randomId('user'), stripeCustomerId: randomId('cus') };
  const subscriptionId = randomId('sub');
  await pool.query(
    `INSERT INTO user_subscriptions (stripe_subscription_id, user_id, stripe_customer_id, stripe_price_id, plan, billing_period, status, is_active, cancel_at_period_end)
     VALUES ($1, $2, $3, $4, 'pro', 'monthly', $5, true, $6)`,
    [subscriptionId, user.id, user.stripeCustomerId, MONTHLY, status, cancelAtPeriodEnd],
  );
  double.addSubscription({ id: subscriptionId, customer: user.stripeCustomerId, status, priceId: MONTHLY, itemId: 'si_item_1' });
  return { user, subscriptionId };
}

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};

describe('plan change on the existing subscription (real stripe-node against the local Stripe API double)', () => {
  it('re-prices the one subscription item with prorations, never creating a subscription', async () => {
    const { user, subscriptionId } = await payingCustomer();
    const before = double.requests.length;
    await applySubscriptionChange(double.stripe, await prepareSubscriptionChange(user, parseSubscriptionChange(form({ change: 'switch_price', priceId: ANNUAL }))));

    const calls = double.requests.slice(before);
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([`GET /v1/subscriptions/${subscriptionId}`, `POST /v1/subscriptions/${subscriptionId}`]);
    expect(Object.fromEntries(calls[1]?.body ?? [])).toEqual({
      'items[0][id]': 'si_item_1',
      'items[0][price]': ANNUAL,
      proration_behavior: 'create_prorations',
    });
    expect(double.subscriptions.get(subscriptionId)?.items.data).toEqual([{ id: 'si_item_1', object: 'subscription_item', price: { id: ANNUAL, object: 'price' } }]);
  });

  it('sets and clears cancel_at_period_end', async () => {
    const { user, subscriptionId } = await payingCustomer();
    await applySubscriptionChange(double.stripe, await prepareSubscriptionChange(user, { kind: 'cancel_at_period_end' }));
    expect(double.requests.at(-1)).toMatchObject({ method: 'POST', path: `/v1/subscriptions/${subscriptionId}` });
    expect(Object.fromEntries(double.requests.at(-1)?.body ?? [])).toEqual({ cancel_at_period_end: 'true' });

    await pool.query('UPDATE user_subscriptions SET cancel_at_period_end = true WHERE stripe_subscription_id = $1', [subscriptionId]);
    await applySubscriptionChange(double.stripe, await prepareSubscriptionChange(user, parseSubscriptionChange(form({ change: 'resume' }))));
    expect(Object.fromEntries(double.requests.at(-1)?.body ?? [])).toEqual({ cancel_at_period_end: 'false' });
    expect(double.subscriptions.get(subscriptionId)?.cancel_at_period_end).toBe(false);
  });

  it('sends nothing when Stripe already bills the requested price', async () => {
    const { user, subscriptionId } = await payingCustomer();
    const prepared = await prepareSubscriptionChange(user, { kind: 'switch_price', priceId: ANNUAL });
    double.addSubscription({ id: subscriptionId, customer: user.stripeCustomerId, priceId: ANNUAL });
    await applySubscriptionChange(double.stripe, prepared);
    expect(double.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v1/subscriptions/${subscriptionId}` });
  });

  it('leaves a subscription of several items to the billing portal', async () => {
    const { user, subscriptionId } = await payingCustomer();
    double.subscriptions.get(subscriptionId)?.items.data.push({ id: 'si_item_2', object: 'subscription_item', price: { id: 'price_seats', object: 'price' } });
    const before = double.requests.length;
    await expect(applySubscriptionChange(double.stripe, await prepareSubscriptionChange(user, { kind: 'switch_price', priceId: ANNUAL })))
      .rejects.toMatchObject({ status: 409, message: 'This subscription has several items: change it in the billing portal.' });
    expect(double.requests.slice(before).map((call) => call.method)).toEqual(['GET']);
  });

  it('lands on the dashboard, told what was asked', () => {
    expect(dashboardUrlAfterChange('https://app.example.com', { kind: 'switch_price', priceId: ANNUAL })).toBe(`https://app.example.com/dashboard?changed=switch_price&price=${ANNUAL}`);
    expect(dashboardUrlAfterChange('https://app.example.com', { kind: 'resume' })).toBe('https://app.example.com/dashboard?changed=resume');
  });

  it('says why a change cannot be made', async () => {
    const stranger = { id: randomId('user'), stripeCustomerId: null };
    await expect(prepareSubscriptionChange(stranger, { kind: 'switch_price', priceId: ANNUAL })).rejects.toMatchObject({ status: 400, message: 'You have no subscription to change: choose a plan first.' });
    const { user } = await payingCustomer();
    await expect(prepareSubscriptionChange(user, { kind: 'switch_price', priceId: MONTHLY })).rejects.toMatchObject({ message: 'You are already on Pro Monthly.' });
    await expect(prepareSubscriptionChange(user, { kind: 'switch_price', priceId: 'price_evil' })).rejects.toMatchObject({ message: 'Unknown price.' });
    await expect(prepareSubscriptionChange(user, { kind: 'resume' })).rejects.toMatchObject({ message: 'Your subscription is not set to cancel.' });
    const pastDue = await payingCustomer({ status: 'past_due' });
    await expect(prepareSubscriptionChange(pastDue.user, { kind: 'switch_price', priceId: ANNUAL })).rejects.toMatchObject({ message: 'Your last payment failed: update your card before switching plans.' });
    expect(() => parseSubscriptionChange(form({ change: 'delete_everything' }))).toThrow('Unknown subscription change.');
    expect(() => parseSubscriptionChange(form({ change: 'switch_price' }))).toThrow('Unknown subscription change.');
  });
});

describe('prorationStatement', () => {
  const [monthly, annual] = [PRICES[0], PRICES[1]];
  it('states what the switch costs today', () => {
    expect(prorationStatement({ target: annual!, current: monthly, status: 'active', trialEnd: null })).toBe(
      "You'll be charged $200 today for a new year of Pro Annual, minus a prorated credit for the unused time of your current Pro Monthly period. Any credit left over stays on your account and pays your next invoices.",
    );
    expect(prorationStatement({ target: monthly!, current: annual, status: 'trialing', trialEnd: new Date('2027-01-15T00:00:00Z') })).toBe(
      'Your free trial continues until Jan 15, 2027: nothing is charged today, and Pro Monthly is billed when the trial ends.',
    );
  });
});
