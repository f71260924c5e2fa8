import { getPrisma } from '../db/client';
import { env } from '../env';
import { readCachedFeatures, writeCachedFeatures } from '../cache/feature-cache';
import type { CacheRead } from '../cache/store';
import { errorMessage, logger } from '../logger';
import { type Features, featuresFor, pastDueGraceEndsAt, type SubscriptionForFeatures } from './plans';
import { isSimulatedPrice, realSubscriptionsOnly } from './real-subscriptions-only';

/** The user's best subscription: an active one first, then the most recently changed (the simulator's only while it is on). */
export async function getCurrentSubscription(userId: string) {
  return getPrisma().userSubscription.findFirst({
    where: { userId, ...realSubscriptionsOnly() },
    orderBy: [{ isActive: 'desc' }, { updatedAt: 'desc' }],
  });
}

/**
 * How long an answer may stay cached: the TTL, but never past the end of a past_due grace period,
 * because no event marks that moment.
 */
export function featureCacheSeconds(subscription: SubscriptionForFeatures | null, now = Date.now()): number {
  const graceEnd = pastDueGraceEndsAt(subscription);
  if (!graceEnd || graceEnd.getTime() <= now) return env.FEATURE_CACHE_TTL_SECONDS;
  return Math.min(env.FEATURE_CACHE_TTL_SECONDS, Math.ceil((graceEnd.getTime() - now) / 1000));
}

export type GetFeaturesOptions = {
  /** The database read (tests pause here to force a webhook between the read and the cache write). */
  readSubscription?: typeof getCurrentSubscription;
};

/**
 * The user's feature flags, read through the cache (`features:{userId}`, with a TTL as a backstop).
 * On a miss the cache generation is read before the database and the answer is cached only if no
 * webhook invalidated the cache in between, so a render never puts back a plan older than a commit.
 * A cache outage degrades to a database read rather than breaking the page.
 */
export async function getFeatures(
  userId: string,
  { readSubscription = getCurrentSubscription }: GetFeaturesOptions = {},
): Promise<Features> {
  let cached: CacheRead | null = null;
  try {
    cached = await readCachedFeatures(userId);
    if (cached.value !== null) return JSON.parse(cached.value) as Features;
  } catch (error) {
    logger.error('Feature cache read failed', { user_id: userId, error: errorMessage(error) });
  }
  const subscription = await readSubscription(userId);
  const features = featuresFor(subscription);
  // Without a generation (the read failed, or the cached value did not parse) there is nothing safe to write against.
  // A simulated plan is never cached, so none outlives the simulator once a real key is set.
  if (cached?.value === null && !isSimulatedPrice(subscription?.stripePriceId)) {
    try {
      await writeCachedFeatures(userId, JSON.stringify(features), cached.generation, featureCacheSeconds(subscription));
    } catch (error) {
      logger.error('Feature cache write failed', { user_id: userId, error: errorMessage(error) });
    }
  }
  return features;
}
