import type Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventRows, subscriptionRow, testPool } from '../../../../tests/support/database';
import { eventBody, freshScenario, type Scenario } from '../../../../tests/support/stripe-events';
import { processStripeEvent } from '../process-stripe-event';

// checkout.session.completed links the user to the Stripe customer and to the subscription.

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

type Session = {
  client_reference_id?: string | null;
  metadata?: Record<string, string> | null;
  customer?: string | { id: string } | null;
  subscription?: string | { id: string } | null;
};

function checkoutEvent(scenario: Scenario, session: Session = {}) {
  const event = JSON.parse(eventBody('checkout.session.completed', scenario)) as Stripe.Event;
  Object.assign(event.data.object, session);
  return { event, payload: JSON.stringify(event) };
}

async function customerOf(userId: string): Promise<string | null | undefined> {
  const { rows } = await pool.query<{ stripe_customer_id: string | null }>('SELECT stripe_customer_id FROM users WHERE id = $1', [userId]);
  return rows[0]?.stripe_customer_id;
}

let scenario: Scenario;
beforeEach(() => {
  scenario = freshScenario();
});

describe('checkout.session.completed', () => {
  it('takes the user from client_reference_id before metadata.user_id', async () => {
    const other = freshScenario();
    const result = await processStripeEvent(checkoutEvent(scenario, { metadata: { user_id: other.userId } }));
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect(await customerOf(scenario.userId)).toBe(scenario.customerId);
    expect(await customerOf(other.userId)).toBeUndefined();
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ user_id: scenario.userId, stripe_customer_id: scenario.customerId });
  });

  it('takes metadata.user_id when client_reference_id is empty', async () => {
    const result = await processStripeEvent(checkoutEvent(scenario, { client_reference_id: '' }));
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect(await customerOf(scenario.userId)).toBe(scenario.customerId);
  });

  it('reads expanded customer and subscription objects', async () => {
    const delivery = checkoutEvent(scenario, { customer: { id: scenario.customerId }, subscription: { id: scenario.subscriptionId } });
    expect((await processStripeEvent(delivery)).status).toBe('processed');
    expect(await customerOf(scenario.userId)).toBe(scenario.customerId);
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ user_id: scenario.userId, stripe_customer_id: scenario.customerId, status: 'incomplete', is_active: false });
  });

  it('without a subscription (a one-off payment) links the customer only', async () => {
    const delivery = checkoutEvent(scenario, { subscription: null });
    expect(await processStripeEvent(delivery)).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect(await customerOf(scenario.userId)).toBe(scenario.customerId);
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
  });

  it('without a customer links the subscription only', async () => {
    expect((await processStripeEvent(checkoutEvent(scenario, { customer: null }))).status).toBe('processed');
    expect(await customerOf(scenario.userId)).toBeUndefined();
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ user_id: scenario.userId, stripe_customer_id: null });
  });

  it('without any user links nothing', async () => {
    const delivery = checkoutEvent(scenario, { client_reference_id: null, metadata: null });
    expect(await processStripeEvent(delivery)).toEqual({ status: 'processed', userId: null, attempt: 1 });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
    const { rows } = await pool.query('SELECT id FROM users WHERE stripe_customer_id = $1', [scenario.customerId]);
    expect(rows).toEqual([]);
  });

  it('keeps the customer a subscription row already has', async () => {
    const subscription = JSON.parse(eventBody('customer.subscription.created', scenario)) as Stripe.Event;
    await processStripeEvent({ event: subscription, payload: JSON.stringify(subscription) });
    expect((await processStripeEvent(checkoutEvent(scenario, { customer: 'cus_someone_else' }))).status).toBe('processed');
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ user_id: scenario.userId, stripe_customer_id: scenario.customerId, status: 'active' });
  });

  it('a second checkout of the same user and customer reassigns nothing', async () => {
    const first = checkoutEvent(scenario);
    const again = checkoutEvent(scenario);
    expect((await processStripeEvent(first)).status).toBe('processed');
    expect((await processStripeEvent(again)).status).toBe('processed');
    expect((await eventRows(pool, again.event.id))[0]).toMatchObject({ status: 'processed', note: null, user_id: scenario.userId });
    expect(await customerOf(scenario.userId)).toBe(scenario.customerId);
  });

  it('moves the customer from the user who held it to the user who paid', async () => {
    const previous = freshScenario();
    await pool.query('INSERT INTO users (id, stripe_customer_id) VALUES ($1, $2)', [previous.userId, scenario.customerId]);
    const delivery = checkoutEvent(scenario);
    expect(await processStripeEvent(delivery)).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect(await customerOf(previous.userId)).toBeNull();
    expect(await customerOf(scenario.userId)).toBe(scenario.customerId);
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ note: 'customer_reassigned' });
  });
});
