import { describe, expect, it } from 'vitest';
import { CLIENT_ADDRESS_WARNING } from './auth/client-address-source';
import { checkHealth } from './check-health';

describe('checkHealth', () => {
  it('reports the database up and the in-process cache, without a warning in development', async () => {
    expect(await checkHealth({ NODE_ENV: 'development' })).toEqual({ ok: true, db: 'up', cache: 'memory' });
  });

  it('warns in production that the in-process cache is per instance and names the KV variables', async () => {
    const health = await checkHealth({ NODE_ENV: 'production' });
    expect(health).toMatchObject({ ok: true, db: 'up', cache: 'memory' });
    expect(health.warning).toContain('one per instance');
    for (const name of ['KV_REST_API_URL', 'KV_REST_API_TOKEN', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'])
      expect(health.warning).toContain(name);
  });

  it('warns in production when no trusted party sets client addresses: not on Vercel, not behind TRUSTED_PROXIES', async () => {
    expect((await checkHealth({ NODE_ENV: 'production' })).warning).toContain(CLIENT_ADDRESS_WARNING);
    expect((await checkHealth({ NODE_ENV: 'production', TRUSTED_PROXIES: '10.0.0.1' })).warning).not.toContain(CLIENT_ADDRESS_WARNING);
    expect((await checkHealth({ NODE_ENV: 'production', VERCEL: '1' })).warning).not.toContain(CLIENT_ADDRESS_WARNING);
    expect(CLIENT_ADDRESS_WARNING).toContain('TRUSTED_PROXIES');
  });
});
