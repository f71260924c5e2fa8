import { env } from '../env';
import { type CacheRead, getCacheStore } from './store';

export function featureCacheKey(userId: string): string {
  return `features:${userId}`;
}

export class CacheInvalidationError extends Error {
  constructor(userId: string, cause: unknown) {
    super(`Could not clear the feature cache of user ${userId}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'CacheInvalidationError';
  }
}

/**
 * Drops a user's cached feature flags and starts a new generation, so the next render reads the new
 * plan from the database and no render that read the database before this call can write its old
 * answer after it. Called after the transaction commits.
 */
export async function invalidateFeatureCache(userId: string): Promise<void> {
  try {
    await getCacheStore().del(featureCacheKey(userId));
  } catch (error) {
    throw new CacheInvalidationError(userId, error);
  }
}

/** The cached flags, or on a miss the generation to hand to `writeCachedFeatures`. Read it before the database. */
export async function readCachedFeatures(userId: string): Promise<CacheRead> {
  return getCacheStore().read(featureCacheKey(userId));
}

/** Caches flags read from the database, unless the cache was invalidated since `generation` was read. */
export async function writeCachedFeatures(
  userId: string,
  value: string,
  generation: string,
  ttlSeconds: number = env.FEATURE_CACHE_TTL_SECONDS,
): Promise<boolean> {
  return getCacheStore().setIfGeneration(featureCacheKey(userId), value, ttlSeconds, generation);
}
