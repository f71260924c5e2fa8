import { CLIENT_ADDRESS_WARNING, clientAddressSource } from './auth/client-address-source';
import { getCacheStore } from './cache/store';
import { getPrisma } from './db/client';
import { developmentDefaultsApply, env, type Env } from './env';

export type Health = { ok: boolean; db: 'up' | 'down'; cache: 'up' | 'memory' | 'down'; warning?: string };

/** What /api/health adds in production when no KV is configured. */
export const MEMORY_CACHE_WARNING =
  'The feature cache is in process memory, one per instance: with more than one instance (serverless functions, several servers) they disagree after a change. Configure KV: KV_REST_API_URL and KV_REST_API_TOKEN, or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN.';

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks the database and the feature cache whether they answer. */
// A production build warns whatever NODE_ENV says at run time.
export async function checkHealth(
  source: Pick<Env, 'NODE_ENV' | 'VERCEL' | 'TRUSTED_PROXIES'> = env,
  development = developmentDefaultsApply(),
): Promise<Health> {
  const store = getCacheStore();
  const [db, cache] = await Promise.all([
    withTimeout(getPrisma().$queryRaw`SELECT 1`, 3_000).then(
      () => 'up' as const,
      () => 'down' as const,
    ),
    store.kind === 'memory'
      ? Promise.resolve('memory' as const)
      : withTimeout(store.ping(), 3_000).then(
          () => 'up' as const,
          () => 'down' as const,
        ),
  ]);
  const health: Health = { ok: db === 'up' && cache !== 'down', db, cache };
  if (source.NODE_ENV === 'production' || !development) {
    const warnings = [
      cache === 'memory' ? MEMORY_CACHE_WARNING : null,
      clientAddressSource(source).trusted ? null : CLIENT_ADDRESS_WARNING,
    ].filter(Boolean);
    if (warnings.length > 0) health.warning = warnings.join(' ');
  }
  return health;
}
