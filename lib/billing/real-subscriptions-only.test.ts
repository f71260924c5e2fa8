import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { testPool } from '../../tests/support/database';
import { freshScenario } from '../../tests/support/stripe-events';
import { featureCacheKey } from '../cache/feature-cache';
import { getCacheStore } from '../cache/store';
import { env, stripeSimulatorEnabled } from '../env';
import { findLiveSubscription } from './find-live-subscription';
import { getCurrentSubscription, getFeatures } from './get-features';
import { planFeatures } from './plans';

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

const realKey = env.STRIPE_SECRET_KEY;
afterEach(() => {
  env.STRIPE_SECRET_KEY = realKey;
});

async function insertActive(userId: string, priceId: string | null, plan = 'pro') {
  const { subscriptionId } = freshScenario();
  await pool.query(
    `INSERT INTO user_subscriptions (stripe_subscription_id, user_id, plan, status, is_active, stripe_price_id)
     VALUES ($1, $2, $3, 'active', true, $4)`,
    [subscriptionId, userId, plan, priceId],
  );
  return subscriptionId;
}

describe('subscriptions the simulator made', () => {
  it('unlock Pro while the simulator is on, are never cached, and unlock nothing once a real key is set', async () => {
    const { userId } = freshScenario();
    const simulated = await insertActive(userId, 'price_sim_pro_monthly');
    expect(stripeSimulatorEnabled()).toBe(true);
    expect(await getFeatures(userId)).toEqual(planFeatures('pro'));
    expect((await getCurrentSubscription(userId))?.stripeSubscriptionId).toBe(simulated);
    expect((await findLiveSubscription({ id: userId, stripeCustomerId: null }))?.stripeSubscriptionId).toBe(simulated);
    // Not cached: no instance keeps a simulated plan after the switch.
    expect(await getCacheStore().get(featureCacheKey(userId))).toBeNull();

    // The operator sets a real key: the simulator is off and its row is not the user's plan any more.
    env.STRIPE_SECRET_KEY = 'sk_test_51RealLookingKey0123456789';
    expect(stripeSimulatorEnabled()).toBe(false);
    expect(await getFeatures(userId)).toEqual(planFeatures('free'));
    expect(await getCurrentSubscription(userId)).toBeNull();
    // Nor does it stand in the way of a real checkout.
    expect(await findLiveSubscription({ id: userId, stripeCustomerId: null })).toBeNull();
    // The row itself is kept as it was.
    expect(
      (await pool.query('SELECT plan, is_active FROM user_subscriptions WHERE stripe_subscription_id = $1', [simulated])).rows,
    ).toEqual([{ plan: 'pro', is_active: true }]);
  });

  it('leave real subscriptions alone, and rows without a price yet, whatever the simulator', async () => {
    env.STRIPE_SECRET_KEY = 'sk_test_51RealLookingKey0123456789';
    const real = freshScenario().userId;
    const pending = freshScenario().userId;
    const realId = await insertActive(real, 'price_1RealTeamMonthly', 'team');
    const pendingId = await insertActive(pending, null, 'free');
    expect((await getCurrentSubscription(real))?.stripeSubscriptionId).toBe(realId);
    expect((await getFeatures(real)).plan).toBe('team');
    expect((await getCurrentSubscription(pending))?.stripeSubscriptionId).toBe(pendingId);
    expect((await findLiveSubscription({ id: pending, stripeCustomerId: null }))?.stripeSubscriptionId).toBe(pendingId);
  });
});
