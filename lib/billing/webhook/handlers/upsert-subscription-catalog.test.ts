import type Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { eventRows, testPool } from '../../../../tests/support/database';
import { freshScenario, type Scenario } from '../../../../tests/support/stripe-events';
import { buildTestEvent, type TestPrice } from '../../../dev/test-events';
import { featuresFor } from '../../plans';
import { processStripeEvent } from '../process-stripe-event';

// What a subscription event stores through the catalog: the plan from the item's price lookup key,
// the seats, the trial and cancellation dates, the schedule; a price outside the catalog unlocks
// nothing. Rows are read back from PostgreSQL.

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

const T = 1_796_000_000;
const PRO_MONTHLY: TestPrice = { id: 'price_acct_pro_monthly', lookupKey: 'pro_monthly', interval: 'month', amountCents: 2_000 };
const TEAM_ANNUAL: TestPrice = { id: 'price_acct_team_annual', lookupKey: 'team_annual', interval: 'year', amountCents: 15_000, quantity: 5 };
const PAYMENT_LINK: TestPrice = { id: 'price_payment_link', lookupKey: null, interval: 'month', amountCents: 100 };
const OTHER_APP: TestPrice = { id: 'price_other_app', lookupKey: 'other_app_pro', interval: 'month', amountCents: 2_000 };

type Row = {
  plan: string; status: string; is_active: boolean; stripe_price_id: string | null; billing_period: string | null; quantity: number | null;
  trial_end: Date | null; cancel_at: Date | null; canceled_at: Date | null; ended_at: Date | null; stripe_schedule_id: string | null;
  last_event_at: Date | null; user_id: string | null;
};

async function row(scenario: Scenario): Promise<Row | undefined> {
  const { rows } = await pool.query<Row>('SELECT * FROM user_subscriptions WHERE stripe_subscription_id = $1', [scenario.subscriptionId]);
  return rows[0];
}

const seconds = (date: Date | null | undefined) => (date ? date.getTime() / 1000 : null);

async function deliver(body: string) {
  const event = JSON.parse(body) as Stripe.Event;
  const result = await processStripeEvent({ event, payload: body });
  const [recorded] = await eventRows(pool, event.id);
  return { status: result.status, note: recorded?.note ?? null };
}

/** A subscription event for the scenario, its item at `price`, with the options the builder takes. */
function subscriptionEvent(scenario: Scenario, price: TestPrice, options: Omit<Parameters<typeof buildTestEvent>[1], 'ids' | 'price'> = {}, type = 'customer.subscription.updated') {
  return buildTestEvent(type, { ids: scenario, price, created: T, status: 'active', ...options });
}

/** The same event with more items: Stripe lists them in the order they were added. */
function withItems(body: string, prices: TestPrice[], position: 'before' | 'after'): string {
  const event = JSON.parse(body) as { data: { object: { items: { data: Record<string, unknown>[] } } } };
  const [template] = event.data.object.items.data;
  const extra = prices.map((price, index) => ({
    ...template, id: `si_extra_${index}`, quantity: price.quantity ?? 1,
    price: { ...(template?.price as Record<string, unknown>), id: price.id, lookup_key: price.lookupKey, recurring: { interval: price.interval, interval_count: 1 } },
  }));
  event.data.object.items.data = position === 'before' ? [...extra, ...event.data.object.items.data] : [...event.data.object.items.data, ...extra];
  return JSON.stringify(event);
}

let scenario: Scenario;
beforeEach(() => {
  scenario = freshScenario();
});

describe('the plan of a subscription', () => {
  it('is the catalog plan of the item price lookup key; a Team item quantity is the seat count', async () => {
    expect(await deliver(subscriptionEvent(scenario, TEAM_ANNUAL))).toEqual({ status: 'processed', note: null });
    expect(await row(scenario)).toMatchObject({ plan: 'team', billing_period: 'annual', stripe_price_id: 'price_acct_team_annual', quantity: 5, is_active: true });
  });

  it('of several items, is decided by the catalog one, whatever its position (its quantity is the seats)', async () => {
    expect(await deliver(withItems(subscriptionEvent(scenario, TEAM_ANNUAL), [PAYMENT_LINK, OTHER_APP], 'before'))).toEqual({ status: 'processed', note: null });
    expect(await row(scenario)).toMatchObject({ plan: 'team', stripe_price_id: 'price_acct_team_annual', quantity: 5, billing_period: 'annual' });
    const other = freshScenario();
    expect(await deliver(withItems(subscriptionEvent(other, PRO_MONTHLY), [{ ...PAYMENT_LINK, quantity: 9 }], 'after'))).toEqual({ status: 'processed', note: null });
    expect(await row(other)).toMatchObject({ plan: 'pro', stripe_price_id: 'price_acct_pro_monthly', quantity: 1 });
  });
});

describe('a price outside the catalog', () => {
  it.each([
    ['a Payment Link price without a lookup key', PAYMENT_LINK],
    ['another app price with its own lookup key', OTHER_APP],
  ])('(%s) is stored as plan unknown, active as Stripe says, noted unknown_price, and unlocks nothing', async (_name, price) => {
    expect(await deliver(subscriptionEvent(scenario, price))).toEqual({ status: 'processed', note: 'unknown_price' });
    const stored = await row(scenario);
    expect(stored).toMatchObject({ plan: 'unknown', status: 'active', is_active: true, stripe_price_id: price.id, billing_period: 'monthly', user_id: scenario.userId });
    expect(featuresFor({ plan: stored?.plan ?? '', isActive: stored?.is_active ?? false, status: stored?.status, quantity: stored?.quantity })).toMatchObject({
      plan: 'free', advancedAnalytics: false, prioritySupport: false, teamMembers: 1, projects: 3,
    });
  });

  it('in an event older than the stored state is noted stale, and changes nothing', async () => {
    expect(await deliver(subscriptionEvent(scenario, PRO_MONTHLY))).toEqual({ status: 'processed', note: null });
    expect(await deliver(subscriptionEvent(scenario, PAYMENT_LINK, { created: T - 1 }))).toEqual({ status: 'stale', note: 'stale' });
    expect(await row(scenario)).toMatchObject({ plan: 'pro', stripe_price_id: 'price_acct_pro_monthly' });
  });

  it('replaced later by a catalog price unlocks the plan, and the note is gone from that event', async () => {
    expect((await deliver(subscriptionEvent(scenario, OTHER_APP))).note).toBe('unknown_price');
    expect(await deliver(subscriptionEvent(scenario, PRO_MONTHLY, { created: T + 1 }))).toEqual({ status: 'processed', note: null });
    expect(await row(scenario)).toMatchObject({ plan: 'pro', is_active: true });
  });

  it('without any item is no price and plan free', async () => {
    const event = JSON.parse(subscriptionEvent(scenario, PRO_MONTHLY)) as { data: { object: { items: { data: unknown[] } } } };
    event.data.object.items.data = [];
    expect(await deliver(JSON.stringify(event))).toEqual({ status: 'processed', note: null });
    expect(await row(scenario)).toMatchObject({ plan: 'free', stripe_price_id: null, quantity: null });
  });
});

describe('the subscription state kept beside the plan', () => {
  it('stores the trial end, cancel dates, end, and schedule the subscription object carries', async () => {
    await deliver(subscriptionEvent(scenario, PRO_MONTHLY, { status: 'trialing', trial: { start: T, end: T + 14 * 86_400 } }, 'customer.subscription.created'));
    expect(await row(scenario)).toMatchObject({ status: 'trialing', is_active: true, plan: 'pro' });
    expect(seconds((await row(scenario))?.trial_end)).toBe(T + 14 * 86_400);

    await deliver(subscriptionEvent(scenario, PRO_MONTHLY, { created: T + 10, cancelAt: T + 20 * 86_400, schedule: 'sub_sched_1' }));
    const cancelling = await row(scenario);
    expect([seconds(cancelling?.cancel_at), seconds(cancelling?.canceled_at), cancelling?.stripe_schedule_id]).toEqual([T + 20 * 86_400, T + 10, 'sub_sched_1']);

    const ended = JSON.parse(subscriptionEvent(scenario, PRO_MONTHLY, { created: T + 20, status: 'canceled', schedule: null }, 'customer.subscription.deleted')) as { data: { object: Record<string, unknown> } };
    ended.data.object.ended_at = T + 20;
    await deliver(JSON.stringify(ended));
    const final = await row(scenario);
    expect([final?.status, final?.is_active, seconds(final?.ended_at), final?.stripe_schedule_id]).toEqual(['canceled', false, T + 20, null]);
  });

  it('follows the ordering rule in both arrival orders: the newer event decides seats and dates', async () => {
    const older = subscriptionEvent(scenario, { ...TEAM_ANNUAL, quantity: 3 }, { created: T, cancelAt: T + 86_400 });
    const newer = subscriptionEvent(scenario, { ...TEAM_ANNUAL, quantity: 8 }, { created: T + 5, cancelAt: null });
    const other = freshScenario();
    const olderOther = subscriptionEvent(other, { ...TEAM_ANNUAL, quantity: 3 }, { created: T, cancelAt: T + 86_400 });
    const newerOther = subscriptionEvent(other, { ...TEAM_ANNUAL, quantity: 8 }, { created: T + 5, cancelAt: null });

    expect((await deliver(older)).status).toBe('processed');
    expect((await deliver(newer)).status).toBe('processed');
    expect((await deliver(newerOther)).status).toBe('processed');
    expect((await deliver(olderOther)).status).toBe('stale');
    for (const subject of [scenario, other]) {
      const stored = await row(subject);
      expect([stored?.quantity, stored?.cancel_at, seconds(stored?.last_event_at)]).toEqual([8, null, T + 5]);
    }
  });
});

describe('trial_will_end, paused and resumed', () => {
  it('apply the subscription they carry under the same rules', async () => {
    expect(await deliver(subscriptionEvent(scenario, PRO_MONTHLY, { status: 'trialing', trial: { start: T, end: T + 3 * 86_400 } }, 'customer.subscription.trial_will_end'))).toEqual({ status: 'processed', note: null });
    expect(await row(scenario)).toMatchObject({ status: 'trialing', is_active: true, plan: 'pro' });
    expect(await deliver(subscriptionEvent(scenario, PRO_MONTHLY, { created: T + 1, status: 'paused', previousAttributes: { status: 'trialing' } }, 'customer.subscription.paused'))).toEqual({ status: 'processed', note: null });
    expect(await row(scenario)).toMatchObject({ status: 'paused', is_active: false });
    expect(await deliver(subscriptionEvent(scenario, PRO_MONTHLY, { created: T + 1, status: 'active', previousAttributes: { status: 'paused' } }, 'customer.subscription.resumed'))).toEqual({ status: 'processed', note: null });
    expect(await row(scenario)).toMatchObject({ status: 'active', is_active: true });
    expect(await deliver(subscriptionEvent(scenario, PRO_MONTHLY, { created: T, status: 'paused' }, 'customer.subscription.paused'))).toEqual({ status: 'stale', note: 'stale' });
  });
});
