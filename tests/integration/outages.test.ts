import { CLIENT_ADDRESS_WARNING } from '../../lib/auth/client-address-source';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApp, TEST_WEBHOOK_SECRETS, type AppServer } from '../support/app-server';
import { eventRows, subscriptionRow, testPool } from '../support/database';
import { deliver } from '../support/deliver';
import { startFakeKv, type FakeKv } from '../support/fake-kv-server';
import { eventBody, eventIdOf, freshScenario, signatureHeader } from '../support/stripe-events';
import { startTestDatabase, type TestDatabase } from '../setup/test-database';

const [secret] = TEST_WEBHOOK_SECRETS as [string];

let db: TestDatabase;
let kv: FakeKv;
let app: AppServer;
beforeAll(async () => {
  db = await startTestDatabase('outages', { pooled: inject('pooled') });
  kv = await startFakeKv();
  // The KV double runs real Lua in-process: 80 redeliveries at once on a busy 2-core machine can take
  // longer than 500 ms to clear, which is not the outage under test. A hang still stays within the 8 s bound.
  app = await startApp({
    databaseUrl: db.appDatabaseUrl,
    env: { ...db.appDatabaseEnv, KV_REST_API_URL: kv.url, KV_REST_API_TOKEN: kv.token, KV_TIMEOUT_MS: '2000' },
  });
});
afterAll(async () => {
  await app?.stop();
  await kv?.close();
  await db?.destroy();
});

describe('database outage', () => {
  it('answers 500 while the database is down, writes nothing half, and the redelivery applies the event once', async () => {
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
      const processedRows = (await eventRows(pool, eventIdOf(body))).filter((row) => row.status === 'processed');
      // Nothing half: the event row and its effect are there together or not at all.
      expect(processedRows.length === 1).toBe((await subscriptionRow(pool, scenario.subscriptionId)) !== undefined);
      const retry = await deliver(app.url, body, { secret });
      if (inject('pooled')) {
        // A pooler holds the statement the app gave up on and may run it, whole, once the server is
        // back: then Stripe's retry finds it done. Either way the event is applied exactly once.
        expect(retry.status).toBe(200);
        expect(retry.body).toEqual({
          status: processedRows.length ? 'already_processed' : expect.stringMatching(/^(processed|already_processed)$/),
          event_id: eventIdOf(body),
        });
      } else {
        expect(processedRows).toHaveLength(0);
        expect(retry).toEqual({ status: 200, body: { status: 'processed', event_id: eventIdOf(body) } });
      }
      expect(await eventRows(pool, eventIdOf(body))).toMatchObject([{ status: 'processed' }]);
      expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active' });
      expect(await subscriptionRow(pool, before.subscriptionId)).toMatchObject({ status: 'active' });
    } finally {
      await pool.end();
    }
  });
});

describe('PostgreSQL killed mid-burst', () => {
  it('answers 500 (never 200) during the outage; redelivering what Stripe would retry applies every event once', async () => {
    const scenarios = Array.from({ length: 120 }, () => freshScenario());
    const bodies = scenarios.map((scenario) => eventBody('customer.subscription.created', scenario));
    let killedAt = -1;
    let next = 0;
    const answers: { status: number; afterKill: boolean }[] = new Array(bodies.length);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let index = next++; index < bodies.length; index = next++) {
          if (index === 40) {
            killedAt = index;
            db.kill();
          }
          const afterKill = killedAt >= 0;
          const answer = await deliver(app.url, bodies[index] as string, { secret });
          answers[index] = { status: answer.status, afterKill };
        }
      }),
    );
    expect(killedAt).toBe(40);
    const duringOutage = answers.filter((answer) => answer.afterKill);
    expect(duringOutage.length).toBeGreaterThan(70);
    expect(duringOutage.every((answer) => answer.status === 500)).toBe(true);
    expect(answers.every((answer) => answer.status === 200 || answer.status === 500)).toBe(true);

    await db.start();
    // Stripe redelivers every delivery that did not get a 2xx.
    const retried = await Promise.all(
      bodies.map((body, index) => (answers[index]?.status === 200 ? null : deliver(app.url, body, { secret }))),
    );
    for (const answer of retried) if (answer) expect(['processed', 'already_processed']).toContain(answer.body.status);

    const pool = testPool(db.url);
    try {
      const ids = bodies.map(eventIdOf);
      const events = await pool.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM stripe_webhook_events WHERE id = ANY($1) GROUP BY status',
        [ids],
      );
      expect(events.rows).toEqual([{ status: 'processed', n: 120 }]);
      const subscriptions = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM user_subscriptions WHERE stripe_subscription_id = ANY($1) AND status = 'active'`,
        [scenarios.map((scenario) => scenario.subscriptionId)],
      );
      expect(subscriptions.rows[0]?.n).toBe(120);
    } finally {
      await pool.end();
    }
  });
});

describe('feature cache (Vercel KV) outage', () => {
  it('KV refusing, then hanging, then back: every delivery is answered within its bound, and no stale flags remain', async () => {
    const phases = ['down', 'hang', 'reset'] as const;
    const sent: { body: string; key: string }[] = [];
    for (const mode of phases) {
      await kv.setMode(mode);
      for (let i = 0; i < 3; i += 1) {
        const scenario = freshScenario();
        const body = eventBody('customer.subscription.created', scenario);
        kv.data.set(`features:${scenario.userId}`, '{"plan":"free"}');
        // Bounded: a hanging KV must not hang the webhook (the abort fails the test instead).
        const response = await fetch(`${app.url}/api/webhooks/stripe`, {
          method: 'POST',
          body,
          signal: AbortSignal.timeout(8_000),
          headers: { 'content-type': 'application/json', 'stripe-signature': signatureHeader(body, secret) },
        });
        expect(response.status).toBe(500);
        sent.push({ body, key: `features:${scenario.userId}` });
      }
    }
    await kv.setMode('ok');
    for (const { body } of sent) expect((await deliver(app.url, body, { secret })).body.status).toBe('already_processed');
    expect(sent.filter(({ key }) => kv.data.has(key))).toEqual([]);
  });

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
    // This server faces its clients with no trusted proxy, and says so too.
    expect(await response.json()).toEqual({ ok: false, db: 'up', cache: 'down', warning: CLIENT_ADDRESS_WARNING });
    const healthy = await fetch(`${app.url}/api/health`);
    expect(await healthy.json()).toEqual({ ok: true, db: 'up', cache: 'up', warning: CLIENT_ADDRESS_WARNING });
  });

  it('clears the cache in KV after every processed event', async () => {
    const scenario = freshScenario();
    kv.data.set(`features:${scenario.userId}`, '{"plan":"free"}');
    expect((await deliver(app.url, eventBody('customer.subscription.created', scenario), { secret })).body.status).toBe('processed');
    expect(kv.data.has(`features:${scenario.userId}`)).toBe(false);
  });
});

describe('secrets', () => {
  it('never appear in logs or response bodies, whatever the delivery; admin pages stay closed', async () => {
    const bodies: string[] = [];
    const signatures: string[] = [];
    const send = async (body: string, header: string | null) => {
      if (header)
        signatures.push(
          ...header
            .split(',')
            .filter((part) => part.startsWith('v1='))
            .map((part) => part.slice(3)),
        );
      const response = await fetch(`${app.url}/api/webhooks/stripe`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}) },
      });
      bodies.push(await response.text());
    };
    const scenario = freshScenario();
    const created = eventBody('customer.subscription.created', scenario);
    await send(created, signatureHeader(created, secret));
    await send(created, signatureHeader(created, secret));
    await send(eventBody('customer.created', scenario), signatureHeader(eventBody('customer.created', scenario), secret));
    const older = eventBody('customer.subscription.updated.past_due', scenario, { created: 1 });
    await send(older, signatureHeader(older, secret));
    await send(created, null);
    await send(created, signatureHeader(created, 'whsec_wrong'));
    await send(created, signatureHeader(created, secret, 1_000));
    await send('not json', signatureHeader('not json', secret));
    const broken = JSON.stringify({
      ...JSON.parse(eventBody('customer.subscription.updated', freshScenario())),
      data: { object: { id: 'sub_x' } },
    });
    await send(broken, signatureHeader(broken, secret));
    await kv.setMode('down');
    const kvDown = eventBody('customer.subscription.created', freshScenario());
    await send(kvDown, signatureHeader(kvDown, secret));
    await kv.setMode('ok');

    const everything = `${bodies.join('\n')}\n${app.logs()}`;
    const lines = app
      .logs()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'Webhook processed',
        event_id: expect.stringMatching(/^evt_/),
        type: 'customer.subscription.created',
        status: 'processed',
        ms: expect.any(Number),
        attempt: 1,
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'Signature verification failed', reason: 'invalid_signature' }),
    );
    for (const hidden of [...TEST_WEBHOOK_SECRETS, kv.token, ...signatures]) expect(everything).not.toContain(hidden);
    for (const path of ['/admin/webhooks', '/admin/webhooks/evt_anything']) expect((await fetch(`${app.url}${path}`)).status).toBe(404);
  });
});
