import type Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { eventRows, subscriptionRow, testPool } from '../../../tests/support/database';
import { eventBody, freshScenario, type Scenario } from '../../../tests/support/stripe-events';
import { jsonbSafe, objectIdOf } from './event-store';
import { processStripeEvent } from './process-stripe-event';

// The event rows (stripe_webhook_events) as an operator reads them on the admin page.

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

type Row = Awaited<ReturnType<typeof eventRows>>[number] & { stripe_created_at: Date | null; processed_at: Date | null };
const rowOf = async (id: string) => (await eventRows(pool, id))[0] as Row | undefined;

function delivery(scenario: Scenario, change: (event: Stripe.Event) => void = () => {}) {
  const event = JSON.parse(eventBody('customer.subscription.created', scenario, { created: 1_793_268_004 })) as Stripe.Event;
  change(event);
  return { event, payload: JSON.stringify(event) };
}

/** The same event with items Stripe would never send: its fields do not parse. */
function broken(original: { event: Stripe.Event }) {
  const event = structuredClone(original.event);
  (event.data.object as unknown as { items: unknown }).items = { data: [{ price: 'gone' }] };
  return { event, payload: JSON.stringify(event) };
}

let scenario: Scenario;
beforeEach(() => {
  scenario = freshScenario();
});

describe('a new event', () => {
  it('is recorded with what the event says, applied once', async () => {
    const { event, payload } = delivery(scenario);
    expect(await processStripeEvent({ event, payload })).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    const row = await rowOf(event.id);
    expect(row).toMatchObject({
      id: event.id,
      type: 'customer.subscription.created',
      api_version: '2026-10-28.endive',
      livemode: false,
      stripe_created_at: new Date('2026-10-29T10:00:04.000Z'),
      object_id: scenario.subscriptionId,
      status: 'processed',
      note: null,
      user_id: scenario.userId,
      attempts: 1,
      last_error: null,
      duplicate_deliveries: 0,
    });
    expect(row?.processed_at).toBeInstanceOf(Date);
    expect(row?.payload).toEqual(JSON.parse(payload));
  });

  it('without an API version is recorded with none', async () => {
    const { event, payload } = delivery(scenario, (event) => {
      event.api_version = null;
    });
    expect((await processStripeEvent({ event, payload })).status).toBe('processed');
    expect(await rowOf(event.id)).toMatchObject({ api_version: null, status: 'processed' });
  });

  it('of an unhandled type whose object has no id is recorded ignored, with no object id', async () => {
    const event = {
      id: `evt_${scenario.userId}`,
      object: 'event',
      type: 'balance.available',
      api_version: '2026-10-28.endive',
      created: 1_793_268_004,
      livemode: false,
      data: { object: { object: 'balance', available: [] } },
    } as unknown as Stripe.Event;
    expect(await processStripeEvent({ event, payload: JSON.stringify(event) })).toEqual({ status: 'ignored', userId: null, attempt: 1 });
    expect(await rowOf(event.id)).toMatchObject({
      type: 'balance.available',
      status: 'ignored',
      note: null,
      object_id: null,
      user_id: null,
      attempts: 1,
    });
  });
});

describe('objectIdOf', () => {
  it('is the id of the event object when it has a text id', () => {
    expect(objectIdOf({ data: { object: { id: 'sub_1' } } } as unknown as Stripe.Event)).toBe('sub_1');
    expect(objectIdOf({ data: { object: { object: 'balance' } } } as unknown as Stripe.Event)).toBeNull();
    expect(objectIdOf({ data: { object: { id: 42 } } } as unknown as Stripe.Event)).toBeNull();
  });
});

describe('jsonbSafe', () => {
  it('writes the NUL escape as the six characters it was sent as, and nothing else', () => {
    expect(jsonbSafe(String.raw`{"a":"x\u0000y"}`)).toBe(String.raw`{"a":"x\\u0000y"}`);
    expect(jsonbSafe(String.raw`{"a":"\u0000\u0000"}`)).toBe(String.raw`{"a":"\\u0000\\u0000"}`);
    // An escaped backslash followed by the text u0000 is not a NUL: unchanged.
    expect(jsonbSafe(String.raw`{"a":"\\u0000"}`)).toBe(String.raw`{"a":"\\u0000"}`);
    // An escaped backslash, then a NUL escape.
    expect(jsonbSafe(String.raw`{"a":"\\\u0000"}`)).toBe(String.raw`{"a":"\\\\u0000"}`);
    expect(jsonbSafe(String.raw`{"a":"\u00001"}`)).toBe(String.raw`{"a":"\\u00001"}`);
    expect(jsonbSafe(String.raw`{"a":"\u0001"}`)).toBe(String.raw`{"a":"\u0001"}`);
  });
});

describe('a failed event', () => {
  it('is recorded failed with what the event says and the reason, nothing applied', async () => {
    const good = delivery(scenario);
    const bad = broken(good);
    expect(await processStripeEvent(bad)).toEqual({ status: 'failed', userId: null, attempt: 1 });
    const row = await rowOf(good.event.id);
    expect(row).toMatchObject({
      type: 'customer.subscription.created',
      api_version: '2026-10-28.endive',
      livemode: false,
      stripe_created_at: new Date('2026-10-29T10:00:04.000Z'),
      object_id: scenario.subscriptionId,
      status: 'failed',
      note: null,
      user_id: null,
      attempts: 1,
      processed_at: null,
    });
    expect(row?.last_error).toBe(
      'customer.subscription.created does not carry the fields this handler reads: data.object.items.data.0.price: Invalid input: expected object, received string',
    );
    expect(row?.payload).toEqual(JSON.parse(bad.payload));
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
  });

  it('counts each failed attempt and keeps the latest reason', async () => {
    const good = delivery(scenario);
    const bad = broken(good);
    await processStripeEvent(bad);
    const worse = structuredClone(bad.event);
    (worse.data.object as unknown as { status: unknown }).status = 7;
    expect(await processStripeEvent({ event: worse, payload: JSON.stringify(worse) })).toEqual({
      status: 'failed',
      userId: null,
      attempt: 2,
    });
    const row = await rowOf(good.event.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 2 });
    expect(row?.last_error).toMatch(
      /^customer\.subscription\.created does not carry the fields this handler reads: data\.object\.status: /,
    );
  });

  it('is applied by the next good delivery, keeping what was recorded about it', async () => {
    const good = delivery(scenario);
    await processStripeEvent(broken(good));
    expect(await processStripeEvent(good)).toEqual({ status: 'processed', userId: scenario.userId, attempt: 2 });
    const row = await rowOf(good.event.id);
    expect(row).toMatchObject({
      type: 'customer.subscription.created',
      api_version: '2026-10-28.endive',
      object_id: scenario.subscriptionId,
      status: 'processed',
      note: null,
      user_id: scenario.userId,
      attempts: 2,
      last_error: null,
      duplicate_deliveries: 0,
    });
    expect(row?.processed_at).toBeInstanceOf(Date);
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', is_active: true, plan: 'pro' });
  });
});

describe('a processed event', () => {
  it('is never marked failed by a failing redelivery, and is not applied again', async () => {
    const good = delivery(scenario);
    expect((await processStripeEvent(good)).status).toBe('processed');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await processStripeEvent(broken(good))).toEqual({ status: 'failed', userId: null, attempt: 1 });
    // Nothing to record, and nothing went wrong recording it: no alarm in the logs.
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
    expect(await rowOf(good.event.id)).toMatchObject({ status: 'processed', attempts: 1, last_error: null, user_id: scenario.userId });
    expect(await processStripeEvent(good)).toEqual({ status: 'already_processed', userId: scenario.userId, attempt: 1 });
  });

  it('an ignored event is not reopened by a redelivery nor by the reconciliation, only by an administrator', async () => {
    const ignored = delivery(scenario, (event) => {
      event.livemode = true;
    });
    expect(await processStripeEvent(ignored)).toEqual({ status: 'ignored', userId: null, attempt: 1 });
    expect(await processStripeEvent(ignored)).toEqual({ status: 'already_processed', userId: null, attempt: 1 });
    expect(await processStripeEvent({ ...ignored, source: 'reconcile' })).toEqual({
      status: 'already_processed',
      userId: null,
      attempt: 1,
    });
    expect(await rowOf(ignored.event.id)).toMatchObject({
      status: 'ignored',
      note: 'livemode_mismatch',
      attempts: 1,
      duplicate_deliveries: 1,
    });
    // The key still says test mode: the administrator's replay records it ignored again, as a second attempt.
    expect(await processStripeEvent({ ...ignored, source: 'admin' })).toEqual({ status: 'ignored', userId: null, attempt: 2 });
    expect(await rowOf(ignored.event.id)).toMatchObject({
      status: 'ignored',
      note: 'livemode_mismatch',
      attempts: 2,
      duplicate_deliveries: 1,
    });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
  });

  it('an administrator replay of a processed event changes nothing and is not a delivery', async () => {
    const good = delivery(scenario);
    await processStripeEvent(good);
    expect(await processStripeEvent({ ...good, source: 'admin' })).toEqual({
      status: 'already_processed',
      userId: scenario.userId,
      attempt: 1,
    });
    expect(await rowOf(good.event.id)).toMatchObject({ status: 'processed', attempts: 1, duplicate_deliveries: 0 });
  });

  it('a redelivery is counted on the row and in the hour', async () => {
    const good = delivery(scenario);
    await processStripeEvent(good);
    const hour = async () =>
      Number(
        (
          await pool.query<{ count: number }>(
            `SELECT COALESCE(sum(count), 0)::int AS count FROM stripe_webhook_duplicates WHERE hour = date_trunc('hour', now())`,
          )
        ).rows[0]?.count,
      );
    const before = await hour();
    expect(await processStripeEvent(good)).toEqual({ status: 'already_processed', userId: scenario.userId, attempt: 1 });
    expect(await processStripeEvent(good)).toEqual({ status: 'already_processed', userId: scenario.userId, attempt: 1 });
    expect(await rowOf(good.event.id)).toMatchObject({ duplicate_deliveries: 2, attempts: 1 });
    expect(await hour()).toBeGreaterThanOrEqual(before + 2);
  });
});
