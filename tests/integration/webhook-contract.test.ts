import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TEST_WEBHOOK_SECRETS } from '../support/app-server';
import { eventRows, rejectionCount, subscriptionRow, testPool } from '../support/database';
import { deliver } from '../support/deliver';
import { eventBody, eventIdOf, freshScenario, signatureHeader } from '../support/stripe-events';

const appUrl = inject('appUrl');
const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

const [secret, rotatedSecret] = TEST_WEBHOOK_SECRETS as [string, string];

async function countEvents(): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM stripe_webhook_events');
  return rows[0]?.n ?? 0;
}

describe('POST /api/webhooks/stripe — accepted deliveries', () => {
  it('processes a first delivery and applies the subscription', async () => {
    const scenario = freshScenario();
    const body = eventBody('customer.subscription.created', scenario);
    const answer = await deliver(appUrl, body, { secret });
    expect(answer).toEqual({ status: 200, body: { status: 'processed', event_id: eventIdOf(body) } });
    expect((await eventRows(pool, eventIdOf(body)))[0]).toMatchObject({
      status: 'processed',
      type: 'customer.subscription.created',
      object_id: scenario.subscriptionId,
      user_id: scenario.userId,
    });
    expect((await eventRows(pool, eventIdOf(body)))[0]?.payload).toEqual(JSON.parse(body));
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({
      status: 'active',
      is_active: true,
      plan: 'pro',
      billing_period: 'monthly',
    });
  });

  it('answers already_processed to a redelivery and counts it', async () => {
    const body = eventBody('customer.subscription.created', freshScenario());
    await deliver(appUrl, body, { secret });
    const again = await deliver(appUrl, body, { secret });
    expect(again).toEqual({ status: 200, body: { status: 'already_processed', event_id: eventIdOf(body) } });
    expect((await eventRows(pool, eventIdOf(body)))[0]?.duplicate_deliveries).toBe(1);
  });

  it('records an unhandled type as ignored', async () => {
    const body = eventBody('customer.created', freshScenario());
    expect(await deliver(appUrl, body, { secret })).toEqual({ status: 200, body: { status: 'ignored', event_id: eventIdOf(body) } });
    expect((await eventRows(pool, eventIdOf(body)))[0]?.status).toBe('ignored');
  });

  it('answers stale to an event older than the applied state and leaves the row alone', async () => {
    const scenario = freshScenario();
    await deliver(appUrl, eventBody('customer.subscription.updated', scenario), { secret });
    const older = eventBody('customer.subscription.updated.past_due', scenario);
    expect(await deliver(appUrl, older, { secret })).toEqual({ status: 200, body: { status: 'stale', event_id: eventIdOf(older) } });
    expect((await eventRows(pool, eventIdOf(older)))[0]).toMatchObject({ status: 'processed', note: 'stale' });
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.status).toBe('active');
  });

  it('accepts a signature made with the rotated secret, and the /webhooks/stripe alias', async () => {
    const body = eventBody('customer.created', freshScenario());
    expect((await deliver(appUrl, body, { secret: rotatedSecret })).status).toBe(200);
    const other = eventBody('customer.created', freshScenario());
    expect(await deliver(appUrl, other, { secret, path: '/webhooks/stripe' })).toEqual({
      status: 200,
      body: { status: 'ignored', event_id: eventIdOf(other) },
    });
  });

  it('answers Stripe uncached and uncompressed, even to a client that accepts gzip', async () => {
    const body = eventBody('customer.created', freshScenario());
    for (const path of ['/api/webhooks/stripe', '/webhooks/stripe']) {
      const response = await fetch(`${appUrl}${path}`, {
        method: 'POST',
        body,
        headers: { 'accept-encoding': 'gzip', 'stripe-signature': signatureHeader(body, secret) },
      });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-encoding'), path).toBeNull();
      expect(response.headers.get('cache-control'), path).toBe('no-store, no-transform');
    }
  });

  it('records a livemode mismatch as ignored and never applies it', async () => {
    const scenario = freshScenario();
    const body = eventBody('customer.subscription.created', scenario, { livemode: true });
    expect((await deliver(appUrl, body, { secret })).body.status).toBe('ignored');
    expect((await eventRows(pool, eventIdOf(body)))[0]).toMatchObject({ status: 'ignored', note: 'livemode_mismatch' });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
  });

  it('records an event whose fields do not parse as failed with a clear last_error, applying nothing, and answers 200 so Stripe does not retry a hopeless delivery', async () => {
    const scenario = freshScenario();
    const event = JSON.parse(eventBody('customer.subscription.created', scenario, { api_version: '2099-01-01.future' })) as {
      id: string;
      data: { object: { items: unknown } };
    };
    event.data.object.items = null;
    const body = JSON.stringify(event);
    const answer = await deliver(appUrl, body, { secret });
    expect(answer).toEqual({ status: 200, body: { status: 'failed', event_id: event.id } });
    const [row] = await eventRows(pool, event.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, api_version: '2099-01-01.future' });
    expect(row?.last_error).toMatch(/data\.object\.items/);
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
  });

  it('records and applies a genuine event whose body holds \\u0000, which jsonb refuses', async () => {
    const scenario = freshScenario();
    const event = JSON.parse(eventBody('customer.subscription.created', scenario)) as {
      id: string;
      data: { object: { metadata: Record<string, string> } };
    };
    event.data.object.metadata.note = 'before\u0000after';
    const body = JSON.stringify(event);
    expect(body).toContain('before\\u0000after');
    expect(await deliver(appUrl, body, { secret })).toEqual({ status: 200, body: { status: 'processed', event_id: event.id } });
    expect((await eventRows(pool, event.id))[0]).toMatchObject({
      status: 'processed',
      payload: { data: { object: { metadata: { note: 'before\\u0000after' } } } },
    });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', user_id: scenario.userId });
  });
});

describe('POST /api/webhooks/stripe — rejected deliveries', () => {
  const body = () => eventBody('customer.subscription.created', freshScenario());

  async function expectRejected(send: () => Promise<{ status: number; body: Record<string, unknown> }>, status: number, reason: string) {
    const eventsBefore = await countEvents();
    const countBefore = await rejectionCount(pool, reason);
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(Object.keys(answer.body)).toEqual(['error']);
    expect(typeof answer.body.error).toBe('string');
    const text = JSON.stringify(answer.body);
    for (const configured of TEST_WEBHOOK_SECRETS) expect(text).not.toContain(configured);
    expect(text).not.toContain('sub_');
    expect(await countEvents()).toBe(eventsBefore);
    expect(await rejectionCount(pool, reason)).toBe(countBefore + 1);
  }

  it('400 without a stripe-signature header', async () => {
    await expectRejected(() => deliver(appUrl, body(), { header: null }), 400, 'missing_signature');
  });

  it('400 when no configured secret made the signature', async () => {
    await expectRejected(() => deliver(appUrl, body(), { secret: 'whsec_attacker' }), 400, 'invalid_signature');
    const tampered = body();
    await expectRejected(
      () => deliver(appUrl, tampered.replace('"active"', '"canceled"'), { header: signatureHeader(tampered, secret) }),
      400,
      'invalid_signature',
    );
  });

  it('400 for a replay outside the 300 s tolerance', async () => {
    const payload = body();
    const old = signatureHeader(payload, secret, Math.floor(Date.now() / 1000) - 301);
    await expectRejected(() => deliver(appUrl, payload, { header: old }), 400, 'timestamp_out_of_tolerance');
  });

  it('400 for a signed body that is not JSON or not a Stripe event', async () => {
    await expectRejected(() => deliver(appUrl, 'this is not json', { secret }), 400, 'invalid_payload');
    await expectRejected(() => deliver(appUrl, JSON.stringify({ id: 'evt_x', hello: 'world' }), { secret }), 400, 'invalid_payload');
  });

  it('413 for a body over 1 MiB', async () => {
    const big = JSON.stringify({ id: 'evt_big', object: 'event', padding: 'x'.repeat(1024 * 1024) });
    await expectRejected(() => deliver(appUrl, big, { secret }), 413, 'payload_too_large');
  });
});

describe('GET /api/health', () => {
  it('reports the database up and the in-process cache, warning that a production instance needs KV', async () => {
    const response = await fetch(`${appUrl}/api/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ ok: true, db: 'up', cache: 'memory' });
    expect(body.warning).toMatch(/KV_REST_API_URL/);
  });
});
