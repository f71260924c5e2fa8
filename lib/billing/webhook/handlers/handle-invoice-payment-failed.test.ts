import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventRows, subscriptionRow, testPool } from '../../../../tests/support/database';
import { invoiceEvent, subscribe } from '../../../../tests/support/invoice-events';
import { freshScenario, type Scenario, stripeEvent } from '../../../../tests/support/stripe-events';
import { processStripeEvent } from '../process-stripe-event';

// invoice.payment_failed: recorded for the invoice's user, whichever shape names the subscription.

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

const periodEnd = async (scenario: Scenario) => {
  const end = (await subscriptionRow(pool, scenario.subscriptionId))?.current_period_end;
  return end ? end.getTime() / 1000 : null;
};

let scenario: Scenario;
beforeEach(() => {
  scenario = freshScenario();
});

describe('invoice.payment_failed', () => {
  it('is recorded for the metadata user and changes nothing (the status comes as a subscription event)', async () => {
    await subscribe(scenario);
    const delivery = invoiceEvent('invoice.payment_failed', scenario, { lines: [{ end: 1_810_000_000 }] });
    expect(await processStripeEvent(delivery)).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({
      status: 'processed',
      note: null,
      user_id: scenario.userId,
      type: 'invoice.payment_failed',
    });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', is_active: true });
    expect(await periodEnd(scenario)).toBe(1_800_000_000);
  });

  it('reads the metadata of the legacy shape too', async () => {
    expect((await processStripeEvent(invoiceEvent('invoice.payment_failed', scenario, { shape: 'legacy' }))).userId).toBe(scenario.userId);
  });

  it('without metadata (or an empty user id) finds the user on the subscription row', async () => {
    await subscribe(scenario);
    expect((await processStripeEvent(invoiceEvent('invoice.payment_failed', scenario, { metadata: null }))).userId).toBe(scenario.userId);
    expect((await processStripeEvent(invoiceEvent('invoice.payment_failed', scenario, { metadata: { user_id: '' } }))).userId).toBe(
      scenario.userId,
    );
    expect((await processStripeEvent(invoiceEvent('invoice.payment_failed', scenario, { metadata: null, shape: 'legacy' }))).userId).toBe(
      scenario.userId,
    );
  });

  it('of an invoice that bills no subscription is recorded for the user of the customer', async () => {
    await pool.query('INSERT INTO users (id, stripe_customer_id) VALUES ($1, $2)', [scenario.userId, scenario.customerId]);
    const delivery = invoiceEvent('invoice.payment_failed', scenario, {
      lines: [{ end: 1_810_000_000, subscription: null, itemSubscription: null }],
    });
    const invoice = delivery.event.data.object as unknown as Record<string, unknown>;
    invoice.parent = null;
    delete invoice.subscription;
    delete invoice.subscription_details;
    expect(await processStripeEvent({ event: delivery.event, payload: JSON.stringify(delivery.event) })).toEqual({
      status: 'processed',
      userId: scenario.userId,
      attempt: 1,
    });
  });

  it('without metadata nor subscription row finds the user of the customer, else none', async () => {
    expect(await processStripeEvent(invoiceEvent('invoice.payment_failed', scenario, { metadata: null }))).toEqual({
      status: 'processed',
      userId: null,
      attempt: 1,
    });
    await pool.query('INSERT INTO users (id, stripe_customer_id) VALUES ($1, $2)', [scenario.userId, scenario.customerId]);
    expect(await processStripeEvent(invoiceEvent('invoice.payment_failed', scenario, { metadata: null }))).toEqual({
      status: 'processed',
      userId: scenario.userId,
      attempt: 1,
    });
  });
});

describe('invoice.payment_failed, the example event', () => {
  it('payment_failed is recorded for the subscription user, and finds the user without metadata', async () => {
    await pool.query('INSERT INTO users (id, stripe_customer_id) VALUES ($1, $2)', [scenario.userId, scenario.customerId]);
    const { event } = stripeEvent('invoice.payment_failed', scenario);
    const invoice = event.data.object as unknown as { parent: { subscription_details: { metadata: Record<string, string> | null } } };
    invoice.parent.subscription_details.metadata = null;
    const result = await processStripeEvent({ event, payload: JSON.stringify(event) });
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect((await eventRows(pool, event.id))[0]).toMatchObject({ status: 'processed', user_id: scenario.userId });
  });
});
