import { afterAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { testPool } from '../../tests/support/database';
import { freshScenario } from '../../tests/support/stripe-events';
import { getCacheStore } from '../cache/store';
import { getCurrentSubscription, getFeatures } from './get-features';
import { CATALOG_PRICES } from './catalog';
import { billingPeriodForInterval, featuresFor, isActiveStatus, pastDueGraceEndsAt } from './plans';

// The flags a customer gets, written out: what each plan unlocks, which prices sell it, which row
// of a user with several subscriptions decides.

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

const FREE = { plan: 'free', projects: 3, teamMembers: 1, advancedAnalytics: false, prioritySupport: false };
const PRO = { plan: 'pro', projects: 100, teamMembers: 20, advancedAnalytics: true, prioritySupport: true };

describe('the prices', () => {
  it('are Pro at $20 a month or $200 a year, Team at $15 or $150 per seat for 2 to 100 seats', () => {
    expect(CATALOG_PRICES).toEqual([
      { lookupKey: 'pro_monthly', plan: 'pro', billingPeriod: 'monthly', unitAmountCents: 2_000, seats: null },
      { lookupKey: 'pro_annual', plan: 'pro', billingPeriod: 'annual', unitAmountCents: 20_000, seats: null },
      { lookupKey: 'team_monthly', plan: 'team', billingPeriod: 'monthly', unitAmountCents: 1_500, seats: { min: 2, max: 100 } },
      { lookupKey: 'team_annual', plan: 'team', billingPeriod: 'annual', unitAmountCents: 15_000, seats: { min: 2, max: 100 } },
    ]);
  });

  it('name only monthly and yearly intervals', () => {
    expect(['day', 'week', 'month', 'year', undefined].map(billingPeriodForInterval)).toEqual([null, null, 'monthly', 'annual', null]);
  });
});

describe('the flags of a subscription row', () => {
  const now = new Date('2027-03-10T12:00:00Z');
  const since = new Date('2027-03-08T12:00:00Z');

  it.each([
    ['active', true, PRO],
    ['trialing', true, PRO],
    ['past_due', true, PRO],
    ['incomplete', false, FREE],
    ['unpaid', false, FREE],
    ['paused', false, FREE],
    ['canceled', false, FREE],
    ['incomplete_expired', false, FREE],
  ])('%s: active %s, flags written out', (status, active, flags) => {
    expect(isActiveStatus(status)).toBe(active);
    expect(
      featuresFor(
        { plan: 'pro', status, isActive: isActiveStatus(status), pastDueSince: status === 'past_due' ? since : null },
        { now, graceDays: undefined },
      ),
    ).toEqual(flags);
  });

  it('grace: Pro for the configured days after the subscription became past_due, then Free', () => {
    const row = { plan: 'pro', status: 'past_due', isActive: true, pastDueSince: since };
    expect(pastDueGraceEndsAt(row, 3)).toEqual(new Date('2027-03-11T12:00:00Z'));
    expect(featuresFor(row, { now, graceDays: 3 })).toEqual(PRO);
    expect(featuresFor(row, { now, graceDays: 2 })).toEqual(FREE);
    expect(pastDueGraceEndsAt(null, 3)).toBeNull();
    expect(pastDueGraceEndsAt({ plan: 'pro', isActive: true }, 3)).toBeNull();
  });

  it('a Free row unlocks Free whatever its status', () => {
    expect(featuresFor({ plan: 'free', status: 'active', isActive: true }, { now })).toEqual(FREE);
    expect(featuresFor(null, { now })).toEqual(FREE);
  });
});

describe('the subscription that decides a user flags', () => {
  /** A row as the webhook leaves it; `updatedAt` says when it last changed. */
  async function subscription(
    userId: string,
    { plan, status, isActive, updatedAt }: { plan: string; status: string; isActive: boolean; updatedAt: string },
  ) {
    const id = freshScenario().subscriptionId;
    await pool.query(
      'INSERT INTO user_subscriptions (stripe_subscription_id, user_id, plan, status, is_active, updated_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, userId, plan, status, isActive, updatedAt],
    );
    return id;
  }

  it('is an active one over a more recently changed ended one', async () => {
    const { userId } = freshScenario();
    await subscription(userId, { plan: 'pro', status: 'canceled', isActive: false, updatedAt: '2027-03-10T12:00:00Z' });
    const active = await subscription(userId, { plan: 'pro', status: 'active', isActive: true, updatedAt: '2027-03-01T12:00:00Z' });
    expect((await getCurrentSubscription(userId))?.stripeSubscriptionId).toBe(active);
    expect(await getFeatures(userId)).toEqual(PRO);
  });

  it('among active ones, the most recently changed', async () => {
    const { userId } = freshScenario();
    await subscription(userId, { plan: 'free', status: 'active', isActive: true, updatedAt: '2027-03-01T12:00:00Z' });
    const latest = await subscription(userId, { plan: 'pro', status: 'active', isActive: true, updatedAt: '2027-03-10T12:00:00Z' });
    expect((await getCurrentSubscription(userId))?.stripeSubscriptionId).toBe(latest);
    expect(await getFeatures(userId)).toEqual(PRO);
  });

  it('none: Free', async () => {
    expect(await getFeatures(freshScenario().userId)).toEqual(FREE);
  });
});

describe('a cache outage', () => {
  it('is logged with the user and the reason, and the page still gets the flags', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { userId } = freshScenario();
    const store = getCacheStore();
    const read = vi.spyOn(store, 'read').mockRejectedValueOnce(new Error('KV down'));
    expect(await getFeatures(userId)).toEqual(FREE);
    const write = vi.spyOn(store, 'setIfGeneration').mockRejectedValueOnce(new Error('KV full'));
    expect(await getFeatures(userId)).toEqual(FREE);
    const lines = errors.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    expect(lines.map(({ level, msg, user_id, error }) => ({ level, msg, user_id, error }))).toEqual([
      { level: 'error', msg: 'Feature cache read failed', user_id: userId, error: 'KV down' },
      { level: 'error', msg: 'Feature cache write failed', user_id: userId, error: 'KV full' },
    ]);
    read.mockRestore();
    write.mockRestore();
    errors.mockRestore();
  });
});
