import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { eventRows, subscriptionRow, testPool } from '../../../tests/support/database';
import { eventBody, freshScenario, type Scenario } from '../../../tests/support/stripe-events';
import { getCacheStore } from '../../cache/store';
import { processStripeEvent } from './process-stripe-event';
import { WebhookProcessingError } from './webhook-errors';

// How the pipeline answers when PostgreSQL refuses a write: a failure a retry can fix is thrown (the
// webhook answers 500, Stripe retries), one no retry can fix is answered `failed` (200, no retries);
// both are recorded on the event row. The failures are real PostgreSQL errors, raised by a trigger
// for the rows a test names in test_faults (and only those: other test files share this database).

const pool = testPool(inject('databaseUrl'));

beforeAll(async () => {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS test_faults (target text PRIMARY KEY, sqlstate text NOT NULL, message text NOT NULL, constraint_name text);
    CREATE OR REPLACE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE fault test_faults%ROWTYPE;
    BEGIN
      SELECT * INTO fault FROM test_faults WHERE target = to_jsonb(NEW) ->> TG_ARGV[0];
      -- 'skip': the write silently does nothing, as a row another transaction removed would.
      IF FOUND AND fault.sqlstate = 'skip' THEN
        RETURN NULL;
      ELSIF FOUND AND fault.constraint_name IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = fault.sqlstate, MESSAGE = fault.message, CONSTRAINT = fault.constraint_name;
      ELSIF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = fault.sqlstate, MESSAGE = fault.message;
      END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS test_fault ON user_subscriptions;
    CREATE TRIGGER test_fault BEFORE INSERT OR UPDATE ON user_subscriptions FOR EACH ROW EXECUTE FUNCTION test_fault('stripe_subscription_id');
    DROP TRIGGER IF EXISTS test_fault ON stripe_webhook_events;
    CREATE TRIGGER test_fault BEFORE INSERT OR UPDATE ON stripe_webhook_events FOR EACH ROW EXECUTE FUNCTION test_fault('id');`);
});

afterAll(async () => {
  await pool.query(`
    DROP TRIGGER IF EXISTS test_fault ON user_subscriptions;
    DROP TRIGGER IF EXISTS test_fault ON stripe_webhook_events;
    DROP FUNCTION IF EXISTS test_fault();
    DROP TABLE IF EXISTS test_faults;`);
  await pool.end();
});

/** From now on, PostgreSQL refuses writes of the row `target` (a subscription or event id). */
const fault = (target: string, sqlstate: string, message: string, constraintName: string | null = null) =>
  pool.query('INSERT INTO test_faults (target, sqlstate, message, constraint_name) VALUES ($1, $2, $3, $4)', [
    target,
    sqlstate,
    message,
    constraintName,
  ]);
const clear = (target: string) => pool.query('DELETE FROM test_faults WHERE target = $1', [target]);

function delivery(scenario: Scenario) {
  const event = JSON.parse(eventBody('customer.subscription.created', scenario)) as Stripe.Event;
  return { event, payload: JSON.stringify(event) };
}

const rowOf = async (id: string) => (await eventRows(pool, id))[0];

let scenario: Scenario;
beforeEach(() => {
  scenario = freshScenario();
});

describe('a failure a retry can fix', () => {
  it.each([
    ['40001', 'could not serialize access due to concurrent update'],
    ['57014', 'canceling statement due to statement timeout'],
    ['53300', 'sorry, too many clients already'],
    ['42P01', 'relation "user_subscriptions" does not exist'],
  ])('(SQLSTATE %s) is thrown, recorded failed, and applied by the retry', async (sqlstate, message) => {
    const { event, payload } = delivery(scenario);
    await fault(scenario.subscriptionId, sqlstate, message);
    const failure = await processStripeEvent({ event, payload }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WebhookProcessingError);
    expect((failure as Error).message).toBe(`Processing of ${event.id} failed: ${message}`);
    expect(await rowOf(event.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: message,
      user_id: null,
      object_id: scenario.subscriptionId,
    });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();

    // Still failing on the retry (the transaction path): counted, with the reason.
    await expect(processStripeEvent({ event, payload })).rejects.toBeInstanceOf(WebhookProcessingError);
    expect(await rowOf(event.id)).toMatchObject({ status: 'failed', attempts: 2, last_error: message });

    await clear(scenario.subscriptionId);
    expect(await processStripeEvent({ event, payload })).toEqual({ status: 'processed', userId: scenario.userId, attempt: 3 });
    expect(await rowOf(event.id)).toMatchObject({ status: 'processed', attempts: 3, last_error: null, user_id: scenario.userId });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', is_active: true, plan: 'pro' });
  });
});

describe('a failure no retry can fix', () => {
  it.each([
    ['23514', 'new row violates check constraint "plan_known"', null],
    ['23505', 'duplicate key value violates unique constraint "users_stripe_customer_id_key"', 'users_stripe_customer_id_key'],
    ['22003', 'value out of range', null],
    ['22P02', 'invalid input syntax for type bigint', null],
  ])('(SQLSTATE %s) is answered failed and recorded, nothing applied', async (sqlstate, message, constraintName) => {
    const { event, payload } = delivery(scenario);
    await fault(scenario.subscriptionId, sqlstate, message, constraintName);
    expect(await processStripeEvent({ event, payload })).toEqual({ status: 'failed', userId: null, attempt: 1 });
    expect(await rowOf(event.id)).toMatchObject({ status: 'failed', attempts: 1, last_error: message });
    expect(await processStripeEvent({ event, payload })).toEqual({ status: 'failed', userId: null, attempt: 2 });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
  });
});

describe('the recorded reason', () => {
  it('is trimmed and cut to 1000 characters', async () => {
    const { event, payload } = delivery(scenario);
    await fault(scenario.subscriptionId, '40001', `  ${'x'.repeat(1_500)}  `);
    await expect(processStripeEvent({ event, payload })).rejects.toBeInstanceOf(WebhookProcessingError);
    expect((await rowOf(event.id))?.last_error).toBe('x'.repeat(1_000));
  });

  it('says "Unknown error" when the error has no message', async () => {
    const { event, payload } = delivery(scenario);
    await fault(scenario.subscriptionId, '40001', '   ');
    await expect(processStripeEvent({ event, payload })).rejects.toBeInstanceOf(WebhookProcessingError);
    expect((await rowOf(event.id))?.last_error).toBe('Unknown error');
  });
});

describe('when the failure cannot be recorded either', () => {
  it('a failure a retry can fix is still thrown, and the lost record logged', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { event, payload } = delivery(scenario);
    await fault(event.id, '57P01', 'terminating connection due to administrator command');
    await expect(processStripeEvent({ event, payload })).rejects.toThrow(
      `Processing of ${event.id} failed: terminating connection due to administrator command`,
    );
    expect(await rowOf(event.id)).toBeUndefined();
    const logged = errors.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'Failure not recorded',
        event_id: event.id,
        error: 'terminating connection due to administrator command',
      }),
    );
    errors.mockRestore();
  });

  it('a failure no retry can fix is answered failed, as a first attempt', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { event, payload } = delivery(scenario);
    await fault(event.id, '23514', 'new row violates check constraint "status_known"');
    expect(await processStripeEvent({ event, payload })).toEqual({ status: 'failed', userId: null, attempt: 1 });
    expect(await rowOf(event.id)).toBeUndefined();
    errors.mockRestore();
  });
});

describe('a recorded row that changes under the pipeline', () => {
  it('an id the database says exists but that has no row is thrown, for the retry', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { event, payload } = delivery(scenario);
    await fault(
      event.id,
      '23505',
      'duplicate key value violates unique constraint "stripe_webhook_events_pkey"',
      'stripe_webhook_events_pkey',
    );
    await expect(processStripeEvent({ event, payload })).rejects.toThrow(
      `Processing of ${event.id} failed: Event ${event.id} is neither new nor recorded`,
    );
    expect(await rowOf(event.id)).toBeUndefined();
    errors.mockRestore();
  });

  it('a failed row that cannot be reopened is thrown, for the retry', async () => {
    const { event, payload } = delivery(scenario);
    await pool.query(`INSERT INTO stripe_webhook_events (id, type, status, attempts) VALUES ($1, $2, 'failed', 1)`, [event.id, event.type]);
    await fault(event.id, 'skip', '');
    await expect(processStripeEvent({ event, payload })).rejects.toThrow(
      `Processing of ${event.id} failed: Event ${event.id} could not be reopened`,
    );
    expect(await rowOf(event.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
  });
});

describe('the feature cache', () => {
  it('is not touched for an event that concerns no user, so a cache outage does not fail it', async () => {
    const del = vi.spyOn(getCacheStore(), 'del').mockRejectedValue(new Error('KV unreachable'));
    const event = JSON.parse(eventBody('customer.created', scenario)) as Stripe.Event;
    expect(await processStripeEvent({ event, payload: JSON.stringify(event) })).toEqual({ status: 'ignored', userId: null, attempt: 1 });
    expect(del).not.toHaveBeenCalled();
    del.mockRestore();
  });
});
