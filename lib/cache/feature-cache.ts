import { env } from '../env';
import { getCacheStore } from './store';

export function featureCacheKey(userId: string): string {
  return `features:${userId}`;
}

export class CacheInvalidationError extends Error {
  constructor(userId: string, cause: unknown) {
    super(`Could not clear the feature cache of user ${userId}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'CacheInvalidationError';
  }
}

/** Drops a user's cached feature flags so the next render reads the new plan from the database. */
export async function invalidateFeatureCache(userId: string): Promise<void> {
  try {
    await getCacheStore().del(featureCacheKey(userId));
  } catch (error) {
    throw new CacheInvalidationError(userId, error);
  }
}

export async function readCachedFeatures(userId: string): Promise<string | null> {
  return getCacheStore().get(featureCacheKey(userId));
}

export async function writeCachedFeatures(userId: string, value: string): Promise<void> {
  await getCacheStore().set(featureCacheKey(userId), value, env.FEATURE_CACHE_TTL_SECONDS);
}
