import { randomUUID } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { z } from 'zod';
import { env, kvConfig } from '../env';
import { logger } from '../logger';

/** What `read` finds: the value, or (a miss) the generation a later `setIfGeneration` must still see. */
export type CacheRead = { value: string } | { value: null; generation: string };

/**
 * A small key-value store with TTLs: Upstash Redis (Vercel KV) in production, process memory otherwise.
 *
 * Every key has a generation beside it (`{key}:gen`) so that a slow reader cannot write back a value
 * older than a delete: `del` deletes the value and starts a new generation in one atomic step;
 * `setIfGeneration` writes only while the generation is still the one `read` returned before the
 * reader looked anything up. Generations are random tokens, not counters: a generation key that
 * expired or was evicted and came back must never equal one a reader still holds, and a missing
 * generation never matches because `read` creates one.
 */
export type CacheStore = {
  kind: 'kv' | 'memory';
  get(key: string): Promise<string | null>;
  read(key: string): Promise<CacheRead>;
  /** Unconditional write (seeding, tests); readers use `setIfGeneration`. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Writes only if no `del` of the key happened since `read` returned `generation`; true if written. */
  setIfGeneration(key: string, value: string, ttlSeconds: number, generation: string): Promise<boolean>;
  del(key: string): Promise<void>;
  ping(): Promise<void>;
};

export function generationKey(key: string): string {
  return `${key}:gen`;
}

/** A generation must outlive the longest read-to-write of a reader (a page render: seconds). */
export const GENERATION_TTL_SECONDS = 86_400;

/**
 * Entries the in-process store keeps, values and generations together (one user's flags are ~100
 * bytes, so a few MB at most); past it the least recently used go first.
 */
export const MEMORY_STORE_MAX_ENTRIES = 10_000;

export function createMemoryStore(maxEntries = MEMORY_STORE_MAX_ENTRIES): CacheStore {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const live = (key: string): string | null => {
    const entry = entries.get(key);
    if (!entry) return null;
    entries.delete(key);
    if (entry.expiresAt <= Date.now()) return null;
    entries.set(key, entry);
    return entry.value;
  };
  const put = (key: string, value: string, ttlSeconds: number) => {
    entries.delete(key);
    entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(oldest);
    }
  };
  return {
    kind: 'memory',
    async get(key) {
      return live(key);
    },
    async read(key) {
      const value = live(key);
      if (value !== null) return { value };
      const current = live(generationKey(key));
      if (current !== null) return { value: null, generation: current };
      const generation = randomUUID();
      put(generationKey(key), generation, GENERATION_TTL_SECONDS);
      return { value: null, generation };
    },
    async set(key, value, ttlSeconds) {
      put(key, value, ttlSeconds);
    },
    async setIfGeneration(key, value, ttlSeconds, generation) {
      if (live(generationKey(key)) !== generation) return false;
      put(key, value, ttlSeconds);
      return true;
    },
    async del(key) {
      entries.delete(key);
      put(generationKey(key), randomUUID(), GENERATION_TTL_SECONDS);
    },
    async ping() {},
  };
}

// The scripts run atomically in Redis; KEYS[1] is the value, KEYS[2] its generation. Lua 5.1 as Redis has it.
export const READ_ON_MISS_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if value then return {1, value} end
local generation = redis.call('GET', KEYS[2])
if not generation then
  generation = ARGV[1]
  redis.call('SET', KEYS[2], generation, 'EX', ARGV[2])
end
return {0, generation}
`;

export const SET_IF_GENERATION_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
`;

export const DELETE_SCRIPT = `
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
redis.call('DEL', KEYS[1])
return 1
`;

const readOnMissReply = z.tuple([z.union([z.literal(0), z.literal(1)]), z.string()]);
const integerReply = z.number().int();

export function createKvStore(config: { url: string; token: string }): CacheStore {
  const redis = new Redis({
    url: config.url,
    token: config.token,
    automaticDeserialization: false,
    enableTelemetry: false,
    // Bounded: without a signal a KV that accepts and never answers hangs the webhook for ever, and
    // the default retries take seconds against a closed port. One quick retry, then give up. A
    // function, so each request gets its own timeout (and an abort throws instead of answering).
    signal: () => AbortSignal.timeout(env.KV_TIMEOUT_MS),
    // Stryker disable next-line ArrowFunction: the backoff only sets how long before the one retry
    retry: { retries: 1, backoff: () => 50 },
  });
  // EVALSHA first, EVAL when the server answers NOSCRIPT (@upstash/redis's Script.exec).
  const readOnMiss = redis.createScript<unknown>(READ_ON_MISS_SCRIPT);
  const setIfGeneration = redis.createScript<unknown>(SET_IF_GENERATION_SCRIPT);
  const deleteAndRenew = redis.createScript<unknown>(DELETE_SCRIPT);
  const get = async (key: string): Promise<string | null> =>
    z
      .string()
      .nullable()
      .parse(await redis.get(key));
  return {
    kind: 'kv',
    get,
    async read(key) {
      // A hit is a plain GET (Upstash can answer it from a read replica); only a miss runs a script.
      const value = await get(key);
      if (value !== null) return { value };
      const [found, text] = readOnMissReply.parse(
        await readOnMiss.exec([key, generationKey(key)], [randomUUID(), String(GENERATION_TTL_SECONDS)]),
      );
      return found === 1 ? { value: text } : { value: null, generation: text };
    },
    async set(key, value, ttlSeconds) {
      await redis.set(key, value, { ex: ttlSeconds });
    },
    async setIfGeneration(key, value, ttlSeconds, generation) {
      const written = await setIfGeneration.exec([key, generationKey(key)], [generation, value, String(ttlSeconds)]);
      return integerReply.parse(written) === 1;
    },
    async del(key) {
      await deleteAndRenew.exec([key, generationKey(key)], [randomUUID(), String(GENERATION_TTL_SECONDS)]);
    },
    async ping() {
      await redis.ping();
    },
  };
}

// One store per process, shared by route handlers and server components.
const globalForCache = globalThis as unknown as { cacheStore?: CacheStore };

export function getCacheStore(): CacheStore {
  if (!globalForCache.cacheStore) {
    const config = kvConfig();
    if (!config && env.NODE_ENV === 'production') {
      logger.warn(
        'Feature cache in process memory: with several instances each keeps its own copy; set KV_REST_API_URL and KV_REST_API_TOKEN',
      );
    }
    globalForCache.cacheStore = config ? createKvStore(config) : createMemoryStore();
  }
  return globalForCache.cacheStore;
}
