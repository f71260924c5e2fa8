import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeKv, type FakeKv } from '../../tests/support/fake-kv-server';
import {
  type CacheStore,
  createKvStore,
  createMemoryStore,
  GENERATION_TTL_SECONDS,
  generationKey,
  MEMORY_STORE_MAX_ENTRIES,
} from './store';

// getCacheStore reads its configuration from lib/env at import; each case imports a fresh copy.
async function loadStore(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  delete (globalThis as { cacheStore?: unknown }).cacheStore;
  const { getCacheStore } = await import('./store');
  return getCacheStore();
}

const NO_KV = {
  KV_REST_API_URL: undefined,
  KV_REST_API_TOKEN: undefined,
  UPSTASH_REDIS_REST_URL: undefined,
  UPSTASH_REDIS_REST_TOKEN: undefined,
};

let kv: FakeKv;
beforeAll(async () => {
  kv = await startFakeKv();
});
afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await kv.setMode('ok');
});
afterAll(async () => {
  delete (globalThis as { cacheStore?: unknown }).cacheStore;
  await kv.close();
});

// The same contract, once per kind: memory with the clock faked, KV (the real @upstash/redis client
// against the local REST double, scripts run in its Lua VM) with the double's clock moved.
const kinds: { name: string; create: () => CacheStore; advance: (ms: number) => void; useClock: () => void }[] = [
  { name: 'memory', create: () => createMemoryStore(), advance: (ms) => vi.advanceTimersByTime(ms), useClock: () => vi.useFakeTimers() },
  { name: 'kv', create: () => createKvStore({ url: kv.url, token: kv.token }), advance: (ms) => kv.advanceTime(ms), useClock: () => {} },
];

describe.each(kinds)('$name store', ({ create, advance, useClock }) => {
  it('sets with a TTL, reads and deletes', async () => {
    const store = create();
    await store.set('features:u1', '{"plan":"pro"}', 30);
    expect(await store.get('features:u1')).toBe('{"plan":"pro"}');
    expect(await store.read('features:u1')).toEqual({ value: '{"plan":"pro"}' });
    await store.del('features:u1');
    expect(await store.get('features:u1')).toBeNull();
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('forgets a value once its TTL passes', async () => {
    useClock();
    const store = create();
    await store.set('features:ttl', '{"plan":"pro"}', 30);
    advance(29_000);
    expect(await store.get('features:ttl')).toBe('{"plan":"pro"}');
    advance(1_001);
    expect(await store.get('features:ttl')).toBeNull();

    const read = await store.read('features:ttl');
    expect(read.value).toBeNull();
    if (read.value !== null) return;
    expect(await store.setIfGeneration('features:ttl', '{"plan":"free"}', 30, read.generation)).toBe(true);
    advance(30_001);
    expect(await store.get('features:ttl')).toBeNull();
  });

  it('a miss hands out one generation until a delete; a write against it lands until then', async () => {
    const store = create();
    const first = await store.read('features:g1');
    const second = await store.read('features:g1');
    expect(first).toEqual({ value: null, generation: expect.any(String) });
    expect(second).toEqual(first);
    if (first.value !== null) return;
    expect(await store.setIfGeneration('features:g1', '{"plan":"free"}', 60, first.generation)).toBe(true);
    expect(await store.read('features:g1')).toEqual({ value: '{"plan":"free"}' });
  });

  it('the bad interleaving: a reader that looked before a delete cannot write after it', async () => {
    const store = create();
    const render = await store.read('features:g2'); // render: miss, then reads the database ("free")
    await store.del('features:g2'); // webhook: commits "pro", then clears
    if (render.value !== null) throw new Error('expected a miss');
    expect(await store.setIfGeneration('features:g2', '{"plan":"free"}', 60, render.generation)).toBe(false);
    expect(await store.get('features:g2')).toBeNull();

    const next = await store.read('features:g2'); // the next render reads "pro"
    if (next.value !== null) throw new Error('expected a miss');
    expect(next.generation).not.toBe(render.generation);
    expect(await store.setIfGeneration('features:g2', '{"plan":"pro"}', 60, next.generation)).toBe(true);
    expect(await store.get('features:g2')).toBe('{"plan":"pro"}');
  });

  it('a generation that expired while a reader held it refuses the write (no counter to come round again)', async () => {
    useClock();
    const store = create();
    const render = await store.read('features:g3');
    if (render.value !== null) throw new Error('expected a miss');
    advance(GENERATION_TTL_SECONDS * 1000 + 1);
    await store.del('features:g3');
    expect(await store.setIfGeneration('features:g3', '{"plan":"free"}', 60, render.generation)).toBe(false);
    expect(await store.get('features:g3')).toBeNull();
  });
});

describe('memory store', () => {
  it(`is bounded: past ${MEMORY_STORE_MAX_ENTRIES} entries the least recently used go first`, async () => {
    const store = createMemoryStore();
    for (let index = 0; index < MEMORY_STORE_MAX_ENTRIES; index += 1) await store.set(`features:m${index}`, '{}', 60);
    expect(await store.get('features:m0')).toBe('{}'); // used: now the most recent
    await store.set('features:new-1', '{}', 60);
    await store.set('features:new-2', '{}', 60);
    expect(await store.get('features:m1')).toBeNull();
    expect(await store.get('features:m2')).toBeNull();
    expect(await store.get('features:m0')).toBe('{}');
    expect(await store.get('features:m3')).toBe('{}');
    expect(await store.get('features:new-2')).toBe('{}');
  });

  it('a reader whose generation was evicted cannot write', async () => {
    const store = createMemoryStore(2);
    const render = await store.read('features:e1');
    if (render.value !== null) throw new Error('expected a miss');
    await store.set('features:other-1', '{}', 60);
    await store.set('features:other-2', '{}', 60); // evicts the generation
    expect(await store.setIfGeneration('features:e1', '{"plan":"free"}', 60, render.generation)).toBe(false);
    expect(await store.get('features:e1')).toBeNull();
  });
});

describe('KV store', () => {
  it('keeps the generation beside the value in KV, with a long TTL; the value has the TTL asked for', async () => {
    const store = createKvStore({ url: kv.url, token: kv.token });
    const read = await store.read('features:k1');
    if (read.value !== null) throw new Error('expected a miss');
    expect(kv.data.get(generationKey('features:k1'))).toBe(read.generation);
    expect(kv.ttl(generationKey('features:k1'))).toBe(GENERATION_TTL_SECONDS);
    await store.setIfGeneration('features:k1', '{"plan":"pro"}', 300, read.generation);
    expect(kv.data.get('features:k1')).toBe('{"plan":"pro"}');
    expect(kv.ttl('features:k1')).toBe(300);

    await store.del('features:k1');
    expect(kv.data.has('features:k1')).toBe(false);
    expect(kv.data.get(generationKey('features:k1'))).not.toBe(read.generation);
    expect(kv.ttl(generationKey('features:k1'))).toBe(GENERATION_TTL_SECONDS);
  });

  it('across instances: a render on one, the webhook on another', async () => {
    const renderInstance = createKvStore({ url: kv.url, token: kv.token });
    const webhookInstance = createKvStore({ url: kv.url, token: kv.token });
    const render = await renderInstance.read('features:k2');
    await webhookInstance.del('features:k2');
    if (render.value !== null) throw new Error('expected a miss');
    expect(await renderInstance.setIfGeneration('features:k2', '{"plan":"free"}', 60, render.generation)).toBe(false);
    expect(kv.data.has('features:k2')).toBe(false);
  });

  it('sends each script as EVALSHA, and its text once with EVAL when the server does not know it', async () => {
    const fresh = await startFakeKv(); // knows no script yet
    try {
      const store = createKvStore({ url: fresh.url, token: fresh.token });
      await store.del('features:k3');
      await store.del('features:k3');
      expect(fresh.commands).toEqual(['EVALSHA', 'EVAL', 'EVALSHA']);
    } finally {
      await fresh.close();
    }
  });

  it('gives up on a KV that never answers, resets or refuses, instead of hanging', async () => {
    const store = await loadStore({ ...NO_KV, KV_REST_API_URL: kv.url, KV_REST_API_TOKEN: kv.token, KV_TIMEOUT_MS: '300' });
    expect(store.kind).toBe('kv');
    for (const mode of ['hang', 'reset', 'down'] as const) {
      await kv.setMode(mode);
      await expect(store.del('features:u2')).rejects.toThrow();
      await expect(store.read('features:u2')).rejects.toThrow();
      await expect(store.setIfGeneration('features:u2', '{}', 60, 'any')).rejects.toThrow();
      await expect(store.ping()).rejects.toThrow();
    }
    await kv.setMode('ok');
    await expect(store.del('features:u2')).resolves.toBeUndefined();
  });

  it('refuses a wrong token', async () => {
    const store = createKvStore({ url: kv.url, token: 'not-the-token' });
    await expect(store.get('features:k4')).rejects.toThrow(/Unauthorized/);
  });
});

describe('getCacheStore', () => {
  it('uses process memory without KV credentials, and says so in production', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect((await loadStore({ ...NO_KV, NODE_ENV: 'development' })).kind).toBe('memory');
    expect(errors).not.toHaveBeenCalled();
    expect((await loadStore({ ...NO_KV, NODE_ENV: 'production' })).kind).toBe('memory');
    expect(errors).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(errors.mock.calls[0]?.[0]))).toMatchObject({
      level: 'warn',
      msg: expect.stringContaining('Feature cache in process memory'),
    });
    errors.mockRestore();
  });

  it.each([
    ['KV_REST_API_URL', 'KV_REST_API_TOKEN'],
    ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'],
  ])('talks to KV configured by %s / %s', async (urlName, tokenName) => {
    const store = await loadStore({ ...NO_KV, [urlName]: kv.url, [tokenName]: kv.token });
    expect(store.kind).toBe('kv');
    await store.set('features:env', '{"plan":"pro"}', 30);
    expect(kv.data.get('features:env')).toBe('{"plan":"pro"}');
  });
});
