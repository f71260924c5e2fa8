import { getPrisma } from '../db/client';
import { readCachedFeatures, writeCachedFeatures } from '../cache/feature-cache';
import type { CacheRead } from '../cache/store';
import { errorMessage, logger } from '../logger';
import { type Features, featuresFor } from './plans';

/** The user's best subscription: an active one first, then the most recently changed. */
export async function getCurrentSubscription(userId: string) {
  return getPrisma().userSubscription.findFirst({
    where: { userId },
    orderBy: [{ isActive: 'desc' }, { updatedAt: 'desc' }],
  });
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
export async function getFeatures(userId: string, { readSubscription = getCurrentSubscription }: GetFeaturesOptions = {}): Promise<Features> {
  let cached: CacheRead | null = null;
  try {
    cached = await readCachedFeatures(userId);
    if (cached.value !== null) return JSON.parse(cached.value) as Features;
  } catch (error) {
    logger.error('Feature cache read failed', { user_id: userId, error: errorMessage(error) });
  }
  const features = featuresFor(await readSubscription(userId));
  // Without a generation (the read failed, or the cached value did not parse) there is nothing safe to write against.
  if (cached?.value === null) {
    try {
      await writeCachedFeatures(userId, JSON.stringify(features), cached.generation);
    } catch (error) {
      logger.error('Feature cache write failed', { user_id: userId, error: errorMessage(error) });
    }
  }
  return features;
}
