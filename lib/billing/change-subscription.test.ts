import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testPool } from '../../tests/support/database';
import { startStripeApiDouble } from '../../tests/support/stripe-api-double';
import { randomId } from '../../tests/support/stripe-events';
import { findCatalogPrice, type CatalogPrice } from './catalog';
import {
  applySubscriptionChange,
  changeDirection,
  dashboardUrlAfterChange,
  parseSubscriptionChange,
  prepareSubscriptionChange,
  prorationStatement,
} from './change-subscription';
import { forgetCatalogPriceIds } from './resolve-catalog-price';

const MONTHLY = 'price_acct_pro_monthly';
const ANNUAL = 'price_acct_pro_annual';
const TEAM_MONTHLY = 'price_acct_team_monthly';

let double: Awaited<ReturnType<typeof startStripeApiDouble>>;
const pool = testPool(inject('databaseUrl'));
beforeAll(async () => {
  double = await startStripeApiDouble();
  double.catalog.addPrice({ id: MONTHLY, lookupKey: 'pro_monthly', unitAmount: 2_000, interval: 'month' });
  double.catalog.addPrice({ id: ANNUAL, lookupKey: 'pro_annual', unitAmount: 20_000, interval: 'year' });
  double.catalog.addPrice({ id: TEAM_MONTHLY, lookupKey: 'team_monthly', unitAmount: 1_500, interval: 'month' });
  forgetCatalogPriceIds();
});
afterAll(async () => {
  await double.close();
  await pool.end();
});

const PERIOD_START = 1_796_000_000;
const PERIOD_END = PERIOD_START + 30 * 86_400;

/** A paying user: a stored row and the same subscription at Stripe (the double). */
async function payingCustomer({
  status = 'active',
  cancelAtPeriodEnd = false,
  plan = 'pro',
  billingPeriod = 'monthly',
  priceId = MONTHLY,
  quantity = 1,
  cancelAt = null as Date | null,
  scheduleId = null as string | null,
} = {}) {
  const user = { id: randomId('user'), stripeCustomerId: randomId('cus') };
  const subscriptionId = randomId('sub');
  await pool.query(
    `INSERT INTO user_subscriptions (stripe_subscription_id, user_id, stripe_customer_id, stripe_price_id, plan, billing_period, status, is_active, cancel_at_period_end, quantity, cancel_at, stripe_schedule_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, true, $8, $9, $10, $11)`,
    [
      subscriptionId,
      user.id,
      user.stripeCustomerId,
      priceId,
      plan,
      billingPeriod,
      status,
      cancelAtPeriodEnd,
      quantity,
      cancelAt,
      scheduleId,
    ],
  );
  double.addSubscription({ id: subscriptionId, customer: user.stripeCustomerId, status, priceId, itemId: 'si_item_1' });
  const item = double.subscriptions.get(subscriptionId)?.items.data[0];
  if (item) Object.assign(item, { quantity, current_period_start: PERIOD_START, current_period_end: PERIOD_END });
  return { user, subscriptionId };
}

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};

const subscriptionCalls = (before: number) => double.requests.slice(before).filter((call) => !call.path.startsWith('/v1/prices'));
const change = async (user: { id: string; stripeCustomerId: string | null }, fields: Record<string, string>) =>
  applySubscriptionChange(double.stripe, await prepareSubscriptionChange(user, parseSubscriptionChange(form(fields))));

describe('an upgrade, on the existing subscription at once (real stripe-node against the local Stripe API double)', () => {
  it('re-prices the one subscription item with prorations, never creating a subscription', async () => {
    const { user, subscriptionId } = await payingCustomer();
    const before = double.requests.length;
    await change(user, { change: 'switch_price', lookupKey: 'pro_annual' });
    const calls = subscriptionCalls(before);
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      `GET /v1/subscriptions/${subscriptionId}`,
      `POST /v1/subscriptions/${subscriptionId}`,
    ]);
    expect(Object.fromEntries(calls[1]?.body ?? [])).toEqual({
      'items[0][id]': 'si_item_1',
      'items[0][price]': ANNUAL,
      'items[0][quantity]': '1',
      proration_behavior: 'create_prorations',
    });
    expect(double.subscriptions.get(subscriptionId)?.items.data[0]).toMatchObject({ id: 'si_item_1', price: { id: ANNUAL }, quantity: 1 });
  });

  it('moves Pro to Team with the seats chosen, and adds seats to a Team', async () => {
    const { user, subscriptionId } = await payingCustomer();
    await change(user, { change: 'switch_price', lookupKey: 'team_monthly', seats: '4' });
    expect(double.subscriptions.get(subscriptionId)?.items.data[0]).toMatchObject({ price: { id: TEAM_MONTHLY }, quantity: 4 });
    const team = await payingCustomer({ plan: 'team', priceId: TEAM_MONTHLY, quantity: 4 });
    await change(team.user, { change: 'switch_price', lookupKey: 'team_monthly', seats: '9' });
    expect(double.subscriptions.get(team.subscriptionId)?.items.data[0]).toMatchObject({ price: { id: TEAM_MONTHLY }, quantity: 9 });
  });

  it('drops a pending downgrade first', async () => {
    const team = await payingCustomer({ plan: 'team', priceId: TEAM_MONTHLY, quantity: 4 });
    const schedule = await double.stripe.subscriptionSchedules.create({ from_subscription: team.subscriptionId });
    await pool.query('UPDATE user_subscriptions SET stripe_schedule_id = $1 WHERE stripe_subscription_id = $2', [
      schedule.id,
      team.subscriptionId,
    ]);
    const before = double.requests.length;
    await change(team.user, { change: 'switch_price', lookupKey: 'team_monthly', seats: '6' });
    expect(subscriptionCalls(before).map((call) => `${call.method} ${call.path}`)).toEqual([
      `POST /v1/subscription_schedules/${schedule.id}/release`,
      `GET /v1/subscriptions/${team.subscriptionId}`,
      `POST /v1/subscriptions/${team.subscriptionId}`,
    ]);
    expect(double.catalog.schedules.get(schedule.id)?.status).toBe('released');
  });
});

describe('a downgrade, at the period end through a subscription schedule', () => {
  it('Pro Annual to Pro Monthly: the next phase bills the monthly price from the period end', async () => {
    const { user, subscriptionId } = await payingCustomer({ billingPeriod: 'annual', priceId: ANNUAL });
    const before = double.requests.length;
    await change(user, { change: 'switch_price', lookupKey: 'pro_monthly' });
    const calls = subscriptionCalls(before);
    expect(calls.map((call) => call.method + ' ' + call.path.replace(/sub_sched_double\d+/, 'SCHED'))).toEqual([
      `GET /v1/subscriptions/${subscriptionId}`,
      'POST /v1/subscription_schedules',
      'POST /v1/subscription_schedules/SCHED',
    ]);
    expect(calls[1]?.body.get('from_subscription')).toBe(subscriptionId);
    const [schedule] = [...double.catalog.schedules.values()].filter((candidate) => candidate.subscription === subscriptionId);
    expect(schedule).toMatchObject({ end_behavior: 'release', status: 'active' });
    expect(schedule?.phases).toEqual([
      {
        start_date: PERIOD_START,
        end_date: PERIOD_END,
        items: [{ price: ANNUAL, quantity: 1 }],
        metadata: {},
        proration_behavior: undefined,
      },
      {
        start_date: PERIOD_END,
        end_date: null,
        items: [{ price: MONTHLY, quantity: 1 }],
        metadata: { lookup_key: 'pro_monthly' },
        proration_behavior: 'none',
      },
    ]);
    expect(double.subscriptions.get(subscriptionId)?.items.data[0]?.price.id).toBe(ANNUAL); // nothing changes today
  });

  it('Team to Pro and fewer seats likewise; an existing schedule is updated, not duplicated', async () => {
    const team = await payingCustomer({ plan: 'team', priceId: TEAM_MONTHLY, quantity: 6 });
    await change(team.user, { change: 'switch_price', lookupKey: 'team_monthly', seats: '3' });
    const [schedule] = [...double.catalog.schedules.values()].filter((candidate) => candidate.subscription === team.subscriptionId);
    expect(schedule?.phases[1]?.items).toEqual([{ price: TEAM_MONTHLY, quantity: 3 }]);
    await pool.query('UPDATE user_subscriptions SET stripe_schedule_id = $1 WHERE stripe_subscription_id = $2', [
      schedule?.id,
      team.subscriptionId,
    ]);
    await change(team.user, { change: 'switch_price', lookupKey: 'pro_monthly' });
    expect([...double.catalog.schedules.values()].filter((candidate) => candidate.subscription === team.subscriptionId)).toHaveLength(1);
    expect(double.catalog.schedules.get(schedule?.id ?? '')?.phases[1]).toMatchObject({
      items: [{ price: MONTHLY, quantity: 1 }],
      metadata: { lookup_key: 'pro_monthly' },
    });
  });

  it('is undone by releasing the schedule', async () => {
    const team = await payingCustomer({ plan: 'team', priceId: TEAM_MONTHLY, quantity: 6 });
    const schedule = await double.stripe.subscriptionSchedules.create({ from_subscription: team.subscriptionId });
    await pool.query('UPDATE user_subscriptions SET stripe_schedule_id = $1 WHERE stripe_subscription_id = $2', [
      schedule.id,
      team.subscriptionId,
    ]);
    await change(team.user, { change: 'undo_pending_change' });
    expect(double.requests.at(-1)).toMatchObject({ method: 'POST', path: `/v1/subscription_schedules/${schedule.id}/release` });
    expect(double.catalog.schedules.get(schedule.id)?.status).toBe('released');
  });
});

describe('cancel and resume', () => {
  it('sets and clears cancel_at_period_end', async () => {
    const { user, subscriptionId } = await payingCustomer();
    await applySubscriptionChange(double.stripe, await prepareSubscriptionChange(user, { kind: 'cancel_at_period_end' }));
    expect(double.requests.at(-1)).toMatchObject({ method: 'POST', path: `/v1/subscriptions/${subscriptionId}` });
    expect(Object.fromEntries(double.requests.at(-1)?.body ?? [])).toEqual({ cancel_at_period_end: 'true' });

    await pool.query('UPDATE user_subscriptions SET cancel_at_period_end = true WHERE stripe_subscription_id = $1', [subscriptionId]);
    await change(user, { change: 'resume' });
    expect(Object.fromEntries(double.requests.at(-1)?.body ?? [])).toEqual({ cancel_at_period_end: 'false' });
    expect(double.subscriptions.get(subscriptionId)?.cancel_at_period_end).toBe(false);
  });

  it('resumes a subscription with a cancel_at date (set in the portal) by clearing the date', async () => {
    const { user } = await payingCustomer({ cancelAt: new Date('2027-02-01T00:00:00Z') });
    await change(user, { change: 'resume' });
    expect(Object.fromEntries(double.requests.at(-1)?.body ?? [])).toEqual({ cancel_at: '' });
  });
});

describe('what is refused', () => {
  it('sends nothing when Stripe already bills the requested price and seats', async () => {
    const { user, subscriptionId } = await payingCustomer();
    const prepared = await prepareSubscriptionChange(user, { kind: 'switch_price', lookupKey: 'pro_annual', seats: null });
    double.addSubscription({ id: subscriptionId, customer: user.stripeCustomerId, priceId: ANNUAL });
    const before = double.requests.length;
    await applySubscriptionChange(double.stripe, prepared);
    expect(subscriptionCalls(before).map((call) => call.method)).toEqual(['GET']);
  });

  it('leaves a subscription of several items to the billing portal', async () => {
    const { user, subscriptionId } = await payingCustomer();
    double.subscriptions
      .get(subscriptionId)
      ?.items.data.push({ id: 'si_item_2', object: 'subscription_item', price: { id: 'price_seats', object: 'price' } });
    const before = double.requests.length;
    await expect(change(user, { change: 'switch_price', lookupKey: 'pro_annual' })).rejects.toMatchObject({
      status: 409,
      message: 'This subscription has several items: change it in the billing portal.',
    });
    expect(subscriptionCalls(before).map((call) => call.method)).toEqual(['GET']);
  });

  it('says why a change cannot be made', async () => {
    const stranger = { id: randomId('user'), stripeCustomerId: null };
    await expect(prepareSubscriptionChange(stranger, { kind: 'switch_price', lookupKey: 'pro_annual', seats: null })).rejects.toMatchObject(
      { status: 400, message: 'You have no subscription to change: choose a plan first.' },
    );
    const { user } = await payingCustomer();
    await expect(prepareSubscriptionChange(user, { kind: 'switch_price', lookupKey: 'pro_monthly', seats: null })).rejects.toMatchObject({
      message: 'You are already on Pro Monthly.',
    });
    await expect(prepareSubscriptionChange(user, { kind: 'switch_price', lookupKey: 'price_evil', seats: null })).rejects.toMatchObject({
      message: 'Unknown price.',
    });
    await expect(prepareSubscriptionChange(user, { kind: 'resume' })).rejects.toMatchObject({
      message: 'Your subscription is not set to cancel.',
    });
    await expect(prepareSubscriptionChange(user, { kind: 'undo_pending_change' })).rejects.toMatchObject({
      message: 'There is no pending change to undo.',
    });
    const team = await payingCustomer({ plan: 'team', priceId: TEAM_MONTHLY, quantity: 5 });
    await expect(prepareSubscriptionChange(team.user, { kind: 'switch_price', lookupKey: 'team_monthly', seats: 5 })).rejects.toMatchObject(
      { message: 'You are already on Team Monthly, 5 seats.' },
    );
    const unknown = await payingCustomer({ plan: 'unknown', priceId: 'price_elsewhere' });
    await expect(
      prepareSubscriptionChange(unknown.user, { kind: 'switch_price', lookupKey: 'pro_annual', seats: null }),
    ).rejects.toMatchObject({ status: 409 });
    const pastDue = await payingCustomer({ status: 'past_due' });
    await expect(
      prepareSubscriptionChange(pastDue.user, { kind: 'switch_price', lookupKey: 'pro_annual', seats: null }),
    ).rejects.toMatchObject({ message: 'Your last payment failed: update your card before switching plans.' });
    expect(() => parseSubscriptionChange(form({ change: 'delete_everything' }))).toThrow('Unknown subscription change.');
    expect(() => parseSubscriptionChange(form({ change: 'switch_price' }))).toThrow('Unknown subscription change.');
  });

  it('lands on the dashboard, told what was asked', () => {
    expect(dashboardUrlAfterChange('https://app.example.com', { kind: 'switch_price', lookupKey: 'pro_annual', seats: null })).toBe(
      'https://app.example.com/dashboard?changed=switch_price&price=pro_annual',
    );
    expect(dashboardUrlAfterChange('https://app.example.com', { kind: 'switch_price', lookupKey: 'team_annual', seats: 4 })).toBe(
      'https://app.example.com/dashboard?changed=switch_price&price=team_annual&seats=4',
    );
    expect(dashboardUrlAfterChange('https://app.example.com', { kind: 'resume' })).toBe('https://app.example.com/dashboard?changed=resume');
  });
});

const price = (lookupKey: string): CatalogPrice => {
  const found = findCatalogPrice(lookupKey);
  if (!found) throw new Error(`no ${lookupKey}`);
  return found;
};

describe('changeDirection: the plan decides, then the billing period, then the seats', () => {
  it.each([
    ['pro_monthly', 1, 'pro_annual', 1, 'upgrade'],
    ['pro_annual', 1, 'team_monthly', 2, 'upgrade'],
    ['team_monthly', 3, 'team_monthly', 4, 'upgrade'],
    ['team_monthly', 9, 'team_annual', 2, 'upgrade'],
    ['team_annual', 2, 'pro_annual', 1, 'downgrade'],
    ['pro_annual', 1, 'pro_monthly', 1, 'downgrade'],
    ['team_annual', 9, 'team_annual', 5, 'downgrade'],
    ['team_monthly', 5, 'team_monthly', 5, 'none'],
  ])('%s x%i -> %s x%i: %s', (from, fromSeats, to, toSeats, direction) => {
    expect(changeDirection({ price: price(from), seats: fromSeats }, { price: price(to), seats: toSeats })).toBe(direction);
  });
});

describe('prorationStatement', () => {
  const monthly = { price: price('pro_monthly'), seats: 1 };
  const annual = { price: price('pro_annual'), seats: 1 };
  it('states what the switch costs today', () => {
    expect(prorationStatement({ target: annual, current: monthly, status: 'active', trialEnd: null })).toBe(
      "You'll be charged $200 today for a new year of Pro Annual, minus a prorated credit for the unused time of your current Pro Monthly period. Any credit left over stays on your account and pays your next invoices.",
    );
    expect(
      prorationStatement({ target: { price: price('team_monthly'), seats: 4 }, current: monthly, status: 'active', trialEnd: null }),
    ).toBe(
      "You'll be charged today the prorated difference to Team Monthly, 4 seats ($60 a month) for the rest of your current Pro Monthly period. Your renewal date stays the same.",
    );
    expect(
      prorationStatement({
        target: { price: price('team_monthly'), seats: 4 },
        current: monthly,
        status: 'trialing',
        trialEnd: new Date('2027-01-15T00:00:00Z'),
      }),
    ).toBe(
      'Your free trial continues until Jan 15, 2027: nothing is charged today, and Team Monthly, 4 seats is billed when the trial ends.',
    );
  });

  it('states when a downgrade happens', () => {
    expect(
      prorationStatement({
        target: monthly,
        current: annual,
        status: 'active',
        trialEnd: null,
        periodEnd: new Date('2027-06-01T00:00:00Z'),
      }),
    ).toBe('Changes to Pro Monthly on Jun 1, 2027, at the end of the period you have paid for; nothing is charged or refunded today.');
  });
});
