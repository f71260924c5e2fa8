import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, TEST_WEBHOOK_SECRETS, type AppServer } from '../support/app-server';
import { eventRows, subscriptionRow, testPool } from '../support/database';
import { deliver } from '../support/deliver';
import { startFakeKv, type FakeKv } from '../support/fake-kv-server';
import { eventBody, eventIdOf, freshScenario } from '../support/stripe-events';
import { startTestDatabase, type TestDatabase } from '../setup/test-database';

const [secret] = TEST_WEBHOOK_SECRETS as [string];

let db: TestDatabase;
let kv: FakeKv;
let app: AppServer;
beforeAll(async () => {
  db = await startTestDatabase('outages');
  kv = await startFakeKv();
  app = await startApp({ databaseUrl: db.url, env: { KV_REST_API_URL: kv.url, KV_REST_API_TOKEN: kv.token, KV_TIMEOUT_MS: '500' } });
});
afterAll(async () => {
  await app?.stop();
  await kv?.close();
  await db?.destroy();
});

describe('database outage', () => {
  it('answers 500 while the database is down, writes nothing half, and the redelivery is processed', async () => {
    const before = freshScenario();
    expect((await deliver(app.url, eventBody('customer.subscription.created', before), { secret })).body.status).toBe('processed');

    await db.stop();
    const scenario = freshScenario();
    const body = eventBody('customer.subscription.created', scenario);
    const during = await deliver(app.url, body, { secret });
    expect(during.status).toBe(500);
    expect(Object.keys(during.body)).toEqual(['error']);
    const health = await fetch(`${app.url}/api/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ok: false, db: 'down' });

    await db.start();
    const pool = testPool(db.url);
    try {
      expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
      expect(await eventRows(pool, eventIdOf(body))).toHaveLength(0);
      const retry = await deliver(app.url, body, { secret });
      expect(retry).toEqual({ status: 200, body: { status: 'processed', event_id: eventIdOf(body) } });
      expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active' });
      expect(await subscriptionRow(pool, before.subscriptionId)).toMatchObject({ status: 'active' });
    } finally {
      await pool.end();
    }
  });
});

describe('feature cache (Vercel KV) outage', () => {
  it.each(['down', 'hang', 'reset'] as const)('KV %s: 500 after commit, then the redelivery clears the cache', async (mode) => {
    const scenario = freshScenario();
    const key = `features:${scenario.userId}`;
    const body = eventBody('customer.subscription.created', scenario);

    await kv.setMode(mode);
    const failed = await deliver(app.url, body, { secret });
    expect(failed.status).toBe(500);
    expect(JSON.stringify(failed.body)).not.toContain(kv.token);

    await kv.setMode('ok');
    kv.data.set(key, '{"plan":"free"}');
    const retry = await deliver(app.url, body, { secret });
    expect(retry).toEqual({ status: 200, body: { status: 'already_processed', event_id: eventIdOf(body) } });
    expect(kv.data.has(key)).toBe(false);
    const pool = testPool(db.url);
    try {
      expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', user_id: scenario.userId });
    } finally {
      await pool.end();
    }
  });

  it('health names the cache when KV is unreachable', async () => {
    await kv.setMode('down');
    const response = await fetch(`${app.url}/api/health`);
    await kv.setMode('ok');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ok: false, db: 'up', cache: 'down' });
    const healthy = await fetch(`${app.url}/api/health`);
    expect(await healthy.json()).toEqual({ ok: true, db: 'up', cache: 'up' });
  });

  it('clears the cache in KV after every processed event', async () => {
    const scenario = freshScenario();
    kv.data.set(`features:${scenario.userId}`, '{"plan":"free"}');
    expect((await deliver(app.url, eventBody('customer.subscription.created', scenario), { secret })).body.status).toBe('processed');
    expect(kv.data.has(`features:${scenario.userId}`)).toBe(false);
  });
});
