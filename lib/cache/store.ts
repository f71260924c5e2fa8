import { createClient } from '@vercel/kv';
import { env, kvConfig } from '../env';

/** A small key-value store with TTLs: Vercel KV in production, process memory otherwise. */
export type CacheStore = {
  kind: 'kv' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(key: string): Promise<void>;
  ping(): Promise<void>;
};

function createMemoryStore(): CacheStore {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  return {
    kind: 'memory',
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return null;
      if (entry.expiresAt <= Date.now()) {
        entries.delete(key);
        return null;
      }
      return entry.value;
    },
    async set(key, value, ttlSeconds) {
      entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    },
    async del(key) {
      entries.delete(key);
    },
    async ping() {},
  };
}

function createKvStore(config: { url: string; token: string }): CacheStore {
  const kv = createClient({
    url: config.url,
    token: config.token,
    automaticDeserialization: false,
    // Bounded: without a signal a KV that accepts and never answers hangs the webhook for ever, and
    // the default retries take seconds against a closed port. One quick retry, then give up.
    signal: () => AbortSignal.timeout(env.KV_TIMEOUT_MS),
    retry: { retries: 1, backoff: () => 50 },
  });
  return {
    kind: 'kv',
    async get(key) {
      const value = await kv.get<string>(key);
      return value ?? null;
    },
    async set(key, value, ttlSeconds) {
      await kv.set(key, value, { ex: ttlSeconds });
    },
    async del(key) {
      await kv.del(key);
    },
    async ping() {
      await kv.ping();
    },
  };
}

// One store per process, shared by route handlers and server components.
const globalForCache = globalThis as unknown as { cacheStore?: CacheStore };

export function getCacheStore(): CacheStore {
  if (!globalForCache.cacheStore) {
    const config = kvConfig();
    globalForCache.cacheStore = config ? createKvStore(config) : createMemoryStore();
  }
  return globalForCache.cacheStore;
}
