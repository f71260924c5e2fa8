import { getCacheStore } from './cache/store';
import { getPrisma } from './db/client';

export type Health = { ok: boolean; db: 'up' | 'down'; cache: 'up' | 'memory' | 'down' };

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
export async function checkHealth(): Promise<Health> {
  const store = getCacheStore();
  const [db, cache] = await Promise.all([
    withTimeout(getPrisma().$queryRaw`SELECT 1`, 3_000).then(() => 'up' as const, () => 'down' as const),
    store.kind === 'memory'
      ? Promise.resolve('memory' as const)
      : withTimeout(store.ping(), 3_000).then(() => 'up' as const, () => 'down' as const),
  ]);
  return { ok: db === 'up' && cache !== 'down', db, cache };
}
