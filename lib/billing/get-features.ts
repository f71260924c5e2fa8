import { getPrisma } from '../db/client';
import { readCachedFeatures, writeCachedFeatures } from '../cache/feature-cache';
import { errorMessage, logger } from '../logger';
import { type Features, featuresFor } from './plans';

/** The user's best subscription: an active one first, then the most recently changed. */
export async function getCurrentSubscription(userId: string) {
  return getPrisma().userSubscription.findFirst({
    where: { userId },
    orderBy: [{ isActive: 'desc' }, { updatedAt: 'desc' }],
  });
}

/**
 * The user's feature flags, read through the cache (`features:{userId}`, with a TTL as a backstop).
 * A cache outage degrades to a database read rather than breaking the page.
 */
export async function getFeatures(userId: string): Promise<Features> {
  try {
    const cached = await readCachedFeatures(userId);
    if (cached) return JSON.parse(cached) as Features;
  } catch (error) {
    logger.error('Feature cache read failed', { user_id: userId, error: errorMessage(error) });
  }
  const features = featuresFor(await getCurrentSubscription(userId));
  try {
    await writeCachedFeatures(userId, JSON.stringify(features));
  } catch (error) {
    logger.error('Feature cache write failed', { user_id: userId, error: errorMessage(error) });
  }
  return features;
}
