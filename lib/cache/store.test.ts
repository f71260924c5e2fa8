import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeKv, type FakeKv } from '../../tests/support/fake-kv-server';

// The store reads its configuration from lib/env at import; each case imports a fresh copy.
async function loadStore(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  delete (globalThis as { cacheStore?: unknown }).cacheStore;
  const module = await import('./store');
  return module.getCacheStore();
}

let kv: FakeKv;
beforeAll(async () => { kv = await startFakeKv(); });
afterAll(async () => {
  vi.unstubAllEnvs();
  delete (globalThis as { cacheStore?: unknown }).cacheStore;
  await kv.close();
});

describe('memory store', () => {
  it('keeps values until their TTL passes', async () => {
    const store = await loadStore({ KV_REST_API_URL: undefined, KV_REST_API_TOKEN: undefined });
    expect(store.kind).toBe('memory');
    await store.set('features:a', '1', 60);
    expect(await store.get('features:a')).toBe('1');
    await store.del('features:a');
    expect(await store.get('features:a')).toBeNull();

    vi.useFakeTimers();
    await store.set('features:b', '2', 1);
    vi.advanceTimersByTime(1_001);
    expect(await store.get('features:b')).toBeNull();
    vi.useRealTimers();
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe('Vercel KV store (real @vercel/kv client, local REST server)', () => {
  it('sets with a TTL, reads and deletes', async () => {
    const store = await loadStore({ KV_REST_API_URL: kv.url, KV_REST_API_TOKEN: kv.token, KV_TIMEOUT_MS: '300' });
    expect(store.kind).toBe('kv');
    await kv.setMode('ok');
    await store.set('features:u1', '{"plan":"pro"}', 30);
    expect(kv.data.get('features:u1')).toBe('{"plan":"pro"}');
    expect(await store.get('features:u1')).toBe('{"plan":"pro"}');
    await store.del('features:u1');
    expect(kv.data.has('features:u1')).toBe(false);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('gives up on a KV that never answers instead of hanging', async () => {
    const store = await loadStore({ KV_REST_API_URL: kv.url, KV_REST_API_TOKEN: kv.token, KV_TIMEOUT_MS: '300' });
    for (const mode of ['hang', 'reset', 'down'] as const) {
      await kv.setMode(mode);
      await expect(store.del('features:u2')).rejects.toThrow();
    }
    await kv.setMode('ok');
    await expect(store.del('features:u2')).resolves.toBeUndefined();
  });
});
