import type Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventRows, subscriptionRow, testPool } from '../../../tests/support/database';
import { eventBody, freshScenario, type Scenario } from '../../../tests/support/stripe-events';
import { env } from '../../env';
import { processStripeEvent } from './process-stripe-event';
import { ReprocessError, reprocessWebhookEvent } from './reprocess-webhook-event';

// The admin page's "reprocess": the stored payload runs through the pipeline again.

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

function delivery(scenario: Scenario) {
  const event = JSON.parse(eventBody('customer.subscription.created', scenario)) as Stripe.Event;
  return { event, payload: JSON.stringify(event) };
}

const refusal = (eventId: string) =>
  reprocessWebhookEvent(eventId).then(
    () => 'reprocessed',
    (error: unknown) => (error instanceof ReprocessError ? error.message : error),
  );

let scenario: Scenario;
beforeEach(() => {
  scenario = freshScenario();
});

describe('reprocessWebhookEvent', () => {
  it('runs a failed event again from its stored payload', async () => {
    const good = delivery(scenario);
    const broken = structuredClone(good.event);
    (broken.data.object as unknown as { items: unknown }).items = { data: [{ price: 'gone' }] };
    await processStripeEvent({ event: broken, payload: JSON.stringify(broken) });
    // The cause is fixed (here: the stored payload is the good one again).
    await pool.query('UPDATE stripe_webhook_events SET payload = $2::jsonb WHERE id = $1', [good.event.id, good.payload]);
    expect(await reprocessWebhookEvent(good.event.id)).toEqual({ status: 'processed', userId: scenario.userId, attempt: 2 });
    expect((await eventRows(pool, good.event.id))[0]).toMatchObject({
      status: 'processed',
      attempts: 2,
      last_error: null,
      duplicate_deliveries: 0,
    });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', is_active: true, plan: 'pro' });
  });

  it('replays an ignored event once the configuration is fixed (an administrator may, a redelivery may not)', async () => {
    const event = JSON.parse(eventBody('customer.subscription.created', scenario, { livemode: true })) as Stripe.Event;
    expect((await processStripeEvent({ event, payload: JSON.stringify(event) })).status).toBe('ignored');
    const testKey = env.STRIPE_SECRET_KEY;
    env.STRIPE_SECRET_KEY = 'sk_live_configured_later';
    try {
      expect(await reprocessWebhookEvent(event.id)).toEqual({ status: 'processed', userId: scenario.userId, attempt: 2 });
    } finally {
      env.STRIPE_SECRET_KEY = testKey;
    }
    expect((await eventRows(pool, event.id))[0]).toMatchObject({ status: 'processed', note: null, attempts: 2, duplicate_deliveries: 0 });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', is_active: true });
  });

  it('refuses an unknown event, a processed one, and one without a stored Stripe event', async () => {
    expect(await refusal('evt_missing')).toBe('Event evt_missing not found.');
    expect(new ReprocessError('x').name).toBe('ReprocessError');

    const good = delivery(scenario);
    await processStripeEvent(good);
    expect(await refusal(good.event.id)).toBe(`Event ${good.event.id} is already processed.`);

    await pool.query(
      `INSERT INTO stripe_webhook_events (id, type, status, attempts) VALUES ($1, 'customer.subscription.created', 'failed', 1)`,
      [`evt_${scenario.userId}`],
    );
    expect(await refusal(`evt_${scenario.userId}`)).toBe(`Event evt_${scenario.userId} has no stored Stripe event to reprocess.`);
    expect((await eventRows(pool, `evt_${scenario.userId}`))[0]).toMatchObject({ status: 'failed', attempts: 1 });
  });
});
