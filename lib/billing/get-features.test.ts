import type Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { testPool } from '../../tests/support/database';
import { startFakeKv, type FakeKv } from '../../tests/support/fake-kv-server';
import { eventBody, freshScenario, type FixtureName, type Scenario } from '../../tests/support/stripe-events';
import { featureCacheKey, invalidateFeatureCache } from '../cache/feature-cache';
import { type CacheStore, createKvStore, createMemoryStore, getCacheStore } from '../cache/store';
import { featureCacheSeconds, getCurrentSubscription, getFeatures } from './get-features';
import { env } from '../env';
import { planFeatures } from './plans';
import { processStripeEvent } from './webhook/process-stripe-event';

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

async function insertSubscription(userId: string, isActive: boolean) {
  await pool.query(
    `INSERT INTO user_subscriptions (stripe_subscription_id, user_id, plan, status, is_active) VALUES ($1, $2, 'pro', $3, $4)`,
    [freshScenario().subscriptionId, userId, isActive ? 'active' : 'canceled', isActive],
  );
}

function deliver(name: FixtureName, scenario: Scenario) {
  const payload = eventBody(name, scenario);
  return processStripeEvent({ event: JSON.parse(payload) as Stripe.Event, payload });
}

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** A render whose database read can be held: `read` resolves once it has read, `release` lets it go on to the cache write. */
function heldRender(userId: string, { holdBeforeRead = false } = {}) {
  const read = gate();
  const release = gate();
  const started = gate();
  const result = getFeatures(userId, {
    readSubscription: async (id) => {
      started.open();
      if (holdBeforeRead) await release.opened;
      const row = await getCurrentSubscription(id);
      read.open();
      if (!holdBeforeRead) await release.opened;
      return row;
    },
  });
  return { started: started.opened, read: read.opened, release: release.open, result };
}

describe('featureCacheSeconds', () => {
  it('caches for the TTL, but a past_due Pro never past the end of its grace period', () => {
    const graceDays = env.PAST_DUE_GRACE_DAYS;
    env.PAST_DUE_GRACE_DAYS = 3;
    try {
      const now = Date.parse('2026-11-29T12:00:00Z');
      const pastDue = (since: string) => ({ plan: 'pro', isActive: true, status: 'past_due', pastDueSince: new Date(since) });
      // Grace ends 2026-11-29T12:01:00Z: 60 seconds from now.
      expect(featureCacheSeconds(pastDue('2026-11-26T12:01:00Z'), now)).toBe(60);
      // Grace ends in a day: the TTL (300 s in tests).
      expect(featureCacheSeconds(pastDue('2026-11-27T12:00:00Z'), now)).toBe(300);
      // Grace ending this very moment is over: Free, for the TTL.
      expect(featureCacheSeconds(pastDue('2026-11-26T12:00:00Z'), now)).toBe(300);
      // Grace over, or no past_due: the TTL.
      expect(featureCacheSeconds(pastDue('2026-11-20T12:00:00Z'), now)).toBe(300);
      expect(featureCacheSeconds({ plan: 'pro', isActive: true, status: 'active', pastDueSince: null }, now)).toBe(300);
    } finally {
      env.PAST_DUE_GRACE_DAYS = graceDays;
    }
  });
});

describe('getFeatures', () => {
  it('stops serving a cached past_due Pro when its grace period ends, though no event arrives then', async () => {
    const graceDays = env.PAST_DUE_GRACE_DAYS;
    env.PAST_DUE_GRACE_DAYS = 3;
    const { userId, subscriptionId } = freshScenario();
    const start = Date.now();
    try {
      // past_due for 3 days less a minute: Pro for one more minute.
      await pool.query(
        `INSERT INTO user_subscriptions (stripe_subscription_id, user_id, plan, status, is_active, past_due_since)
         VALUES ($1, $2, 'pro', 'past_due', true, $3)`,
        [subscriptionId, userId, new Date(start - 3 * 86_400_000 + 60_000)],
      );
      expect((await getFeatures(userId)).plan).toBe('pro');
      vi.useFakeTimers({ now: start + 61_000, toFake: ['Date'] });
      expect(await getFeatures(userId)).toEqual({
        plan: 'free',
        projects: 3,
        teamMembers: 1,
        advancedAnalytics: false,
        prioritySupport: false,
      });
    } finally {
      vi.useRealTimers();
      env.PAST_DUE_GRACE_DAYS = graceDays;
    }
  });

  it('reads the plan from the database, caches it, and reads the new plan once invalidated', async () => {
    const { userId } = freshScenario();
    expect(await getFeatures(userId)).toEqual(planFeatures('free'));
    expect(await getCacheStore().get(featureCacheKey(userId))).toBe(JSON.stringify(planFeatures('free')));

    await insertSubscription(userId, true);
    expect(await getFeatures(userId)).toEqual(planFeatures('free')); // cached until invalidated
    await invalidateFeatureCache(userId);
    expect(await getFeatures(userId)).toEqual(planFeatures('pro'));
    expect(await getCacheStore().get(featureCacheKey(userId))).toBe(JSON.stringify(planFeatures('pro')));
  });

  it('prefers an active subscription over an ended one', async () => {
    const { userId } = freshScenario();
    await insertSubscription(userId, true);
    await insertSubscription(userId, false);
    expect((await getFeatures(userId)).plan).toBe('pro');
  });

  it('falls back to the database when the cache fails, and writes nothing it could not guard', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { userId } = freshScenario();
    await insertSubscription(userId, true);
    const store = getCacheStore();
    const read = vi.spyOn(store, 'read').mockRejectedValueOnce(new Error('KV down'));
    const write = vi.spyOn(store, 'setIfGeneration');
    expect((await getFeatures(userId)).plan).toBe('pro');
    expect(write).not.toHaveBeenCalled();

    write.mockRejectedValueOnce(new Error('KV down'));
    expect((await getFeatures(userId)).plan).toBe('pro');
    expect(errors.mock.calls.map(([line]) => (JSON.parse(String(line)) as { msg: string }).msg)).toEqual([
      'Feature cache read failed',
      'Feature cache write failed',
    ]);
    expect(await store.get(featureCacheKey(userId))).toBeNull();
    read.mockRestore();
    write.mockRestore();
    errors.mockRestore();
  });
});

// The interleavings that re-cached an old plan, forced with the real webhook pipeline and database,
// once with the in-process store and once with KV (the real @upstash/redis client against the local
// REST double, whose Lua VM runs the scripts the app sends).
const globalForCache = globalThis as unknown as { cacheStore?: CacheStore };
let kv: FakeKv;
beforeAll(async () => {
  kv = await startFakeKv();
});
afterAll(async () => {
  await kv.close();
});

describe.each([
  { kind: 'memory', create: () => createMemoryStore() },
  { kind: 'kv', create: () => createKvStore({ url: kv.url, token: kv.token }) },
])('convergence with the $kind store', ({ kind, create }) => {
  let previous: CacheStore | undefined;
  beforeAll(() => {
    previous = globalForCache.cacheStore;
    globalForCache.cacheStore = create();
  });
  afterEach(async () => {
    await kv.setMode('ok');
  });
  afterAll(() => {
    globalForCache.cacheStore = previous;
  });

  // What the cache holds, as every instance would read it (for KV: the double's own data).
  const cached = async (userId: string) =>
    kind === 'kv' ? (kv.data.get(featureCacheKey(userId)) ?? null) : await getCacheStore().get(featureCacheKey(userId));

  it('render reads Free -> webhook commits Pro and clears -> render writes: the cache never holds Free', async () => {
    const scenario = freshScenario();
    const render = heldRender(scenario.userId);
    await render.read; // the render has read the database: no subscription yet

    expect(await deliver('customer.subscription.created', scenario)).toMatchObject({ status: 'processed', userId: scenario.userId });
    render.release();
    expect(await render.result).toEqual(planFeatures('free')); // what that render saw, before the commit
    expect(await cached(scenario.userId)).toBeNull();

    expect(await getFeatures(scenario.userId)).toEqual(planFeatures('pro'));
    expect(await cached(scenario.userId)).toBe(JSON.stringify(planFeatures('pro')));
  });

  it('render misses -> webhook commits Pro and clears -> render reads Pro: answers Pro, and the next render caches it', async () => {
    const scenario = freshScenario();
    const render = heldRender(scenario.userId, { holdBeforeRead: true });
    await render.started;
    await deliver('customer.subscription.created', scenario);
    render.release();
    expect(await render.result).toEqual(planFeatures('pro'));
    expect(await cached(scenario.userId)).toBeNull(); // its generation predates the clear: not written
    expect(await getFeatures(scenario.userId)).toEqual(planFeatures('pro'));
    expect(await cached(scenario.userId)).toBe(JSON.stringify(planFeatures('pro')));
  });

  it('renders spanning two deliveries (Pro, then canceled): after the last one answers the cache holds Free or nothing', async () => {
    const scenario = freshScenario();
    const beforeBoth = heldRender(scenario.userId);
    await beforeBoth.read;
    await deliver('customer.subscription.created', scenario);
    const between = heldRender(scenario.userId);
    await between.read; // it has read Pro
    await deliver('customer.subscription.deleted', scenario);
    between.release();
    beforeBoth.release();

    expect(await between.result).toEqual(planFeatures('pro'));
    expect(await beforeBoth.result).toEqual(planFeatures('free'));
    expect(await cached(scenario.userId)).toBeNull();
    expect(await getFeatures(scenario.userId)).toEqual(planFeatures('free'));
    expect(await cached(scenario.userId)).toBe(JSON.stringify(planFeatures('free')));
  });

  it('a render that read before a commit whose clear failed is refused once the redelivery clears', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const scenario = freshScenario();
    const render = heldRender(scenario.userId);
    await render.read;
    const payload = eventBody('customer.subscription.created', scenario);
    const delivery = { event: JSON.parse(payload) as Stripe.Event, payload };
    const del = vi.spyOn(getCacheStore(), 'del').mockRejectedValueOnce(new Error('KV unreachable'));
    await expect(processStripeEvent(delivery)).rejects.toThrow(/Could not clear the feature cache/);
    del.mockRestore();
    expect(await processStripeEvent(delivery)).toMatchObject({ status: 'already_processed' }); // Stripe's retry
    render.release();
    expect(await render.result).toEqual(planFeatures('free'));
    expect(await cached(scenario.userId)).toBeNull();
    expect(await getFeatures(scenario.userId)).toEqual(planFeatures('pro'));
    errors.mockRestore();
  });
});
