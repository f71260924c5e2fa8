import { afterAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { testPool } from '../../tests/support/database';
import { freshScenario } from '../../tests/support/stripe-events';
import { featureCacheKey, invalidateFeatureCache } from '../cache/feature-cache';
import { getCacheStore } from '../cache/store';
import { getFeatures } from './get-features';
import { PLAN_FEATURES } from './plans';

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

async function insertSubscription(userId: string, isActive: boolean) {
  await pool.query(
    `INSERT INTO user_subscriptions (stripe_subscription_id, user_id, plan, status, is_active) VALUES ($1, $2, 'pro', $3, $4)`,
    [freshScenario().subscriptionId, userId, isActive ? 'active' : 'canceled', isActive],
  );
}

describe('getFeatures', () => {
  it('reads the plan from the database, caches it, and reads the new plan once invalidated', async () => {
    const { userId } = freshScenario();
    expect(await getFeatures(userId)).toEqual(PLAN_FEATURES.free);
    expect(await getCacheStore().get(featureCacheKey(userId))).toBe(JSON.stringify(PLAN_FEATURES.free));

    await insertSubscription(userId, true);
    expect(await getFeatures(userId)).toEqual(PLAN_FEATURES.free); // cached until invalidated
    await invalidateFeatureCache(userId);
    expect(await getFeatures(userId)).toEqual(PLAN_FEATURES.pro);
  });

  it('prefers an active subscription over an ended one', async () => {
    const { userId } = freshScenario();
    await insertSubscription(userId, true);
    await insertSubscription(userId, false);
    expect((await getFeatures(userId)).plan).toBe('pro');
  });

  it('falls back to the database when the cache fails', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { userId } = freshScenario();
    await insertSubscription(userId, true);
    const store = getCacheStore();
    const get = vi.spyOn(store, 'get').mockRejectedValueOnce(new Error('KV down'));
    const set = vi.spyOn(store, 'set').mockRejectedValueOnce(new Error('KV down'));
    expect((await getFeatures(userId)).plan).toBe('pro');
    expect(errors).toHaveBeenCalledTimes(2);
    get.mockRestore();
    set.mockRestore();
  });
});
