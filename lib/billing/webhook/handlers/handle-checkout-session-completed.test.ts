import type Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventRows, subscriptionRow, testPool } from '../../../../tests/support/database';
import { eventBody, freshScenario, type Scenario, stripeEvent } from '../../../../tests/support/stripe-events';
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
// The user signed up before paying: checkout links users, it never creates them.
beforeEach(async () => {
  scenario = freshScenario();
  await pool.query('INSERT INTO users (id) VALUES ($1)', [scenario.userId]);
});

describe('checkout.session.completed', () => {
  it('takes the user from client_reference_id before metadata.user_id', async () => {
    const other = freshScenario();
    const result = await processStripeEvent(checkoutEvent(scenario, { metadata: { user_id: other.userId } }));
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect(await customerOf(scenario.userId)).toBe(scenario.customerId);
    expect(await customerOf(other.userId)).toBeUndefined();
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({
      user_id: scenario.userId,
      stripe_customer_id: scenario.customerId,
    });
  });

  it('links nothing for an id that names no user: no users row, note unknown_user, the subscription row waits unlinked', async () => {
    const stranger = freshScenario();
    const delivery = checkoutEvent(stranger);
    expect(await processStripeEvent(delivery)).toEqual({ status: 'processed', userId: null, attempt: 1 });
    expect(await customerOf(stranger.userId)).toBeUndefined();
    expect((await pool.query('SELECT id FROM users WHERE stripe_customer_id = $1', [stranger.customerId])).rows).toEqual([]);
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ status: 'processed', note: 'unknown_user', user_id: null });
    expect(await subscriptionRow(pool, stranger.subscriptionId)).toMatchObject({
      user_id: null,
      stripe_customer_id: stranger.customerId,
      stripe_price_id: null,
    });

    // The same for metadata.user_id, and a row already linked keeps its user.
    const linked = checkoutEvent(scenario);
    await processStripeEvent(linked);
    const forged = checkoutEvent(scenario, { client_reference_id: null, metadata: { user_id: stranger.userId } });
    expect(await processStripeEvent(forged)).toEqual({ status: 'processed', userId: null, attempt: 1 });
    expect((await eventRows(pool, forged.event.id))[0]).toMatchObject({ note: 'unknown_user' });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ user_id: scenario.userId });
    expect(await customerOf(scenario.userId)).toBe(scenario.customerId);
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
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({
      user_id: scenario.userId,
      stripe_customer_id: scenario.customerId,
      status: 'incomplete',
      is_active: false,
    });
  });

  it('without a subscription (a one-off payment) links the customer only', async () => {
    const delivery = checkoutEvent(scenario, { subscription: null });
    expect(await processStripeEvent(delivery)).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect(await customerOf(scenario.userId)).toBe(scenario.customerId);
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
  });

  it('without a customer links the subscription only', async () => {
    expect((await processStripeEvent(checkoutEvent(scenario, { customer: null }))).status).toBe('processed');
    expect(await customerOf(scenario.userId)).toBeNull();
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
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({
      user_id: scenario.userId,
      stripe_customer_id: scenario.customerId,
      status: 'active',
    });
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

describe('checkout.session.completed, the example event', () => {
  it('creates the user link and a waiting subscription row when it arrives first', async () => {
    const result = await processStripeEvent(stripeEvent('checkout.session.completed', scenario));
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    const { rows } = await pool.query('SELECT stripe_customer_id FROM users WHERE id = $1', [scenario.userId]);
    expect(rows[0]?.stripe_customer_id).toBe(scenario.customerId);
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({
      user_id: scenario.userId,
      stripe_price_id: null,
      last_event_at: null,
      is_active: false,
    });

    // The first subscription event fills the waiting row, whenever it comes.
    await processStripeEvent(stripeEvent('customer.subscription.created', scenario));
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ user_id: scenario.userId, status: 'active', plan: 'pro' });
  });

  it('links an existing subscription row that arrived without a user', async () => {
    const { event } = stripeEvent('customer.subscription.created', scenario);
    (event.data.object as unknown as { metadata: Record<string, string> }).metadata = {};
    await processStripeEvent({ event, payload: JSON.stringify(event) });
    await processStripeEvent(stripeEvent('checkout.session.completed', scenario));
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ user_id: scenario.userId, status: 'active' });
  });

  it('falls back to metadata.user_id and does nothing without any user', async () => {
    const { event } = stripeEvent('checkout.session.completed', scenario);
    const session = event.data.object as unknown as { client_reference_id: string | null; metadata: Record<string, string> | null };
    session.client_reference_id = null;
    expect((await processStripeEvent({ event, payload: JSON.stringify(event) })).userId).toBe(scenario.userId);

    const other = stripeEvent('checkout.session.completed', freshScenario());
    const otherSession = other.event.data.object as unknown as {
      client_reference_id: string | null;
      metadata: Record<string, string> | null;
    };
    otherSession.client_reference_id = null;
    otherSession.metadata = null;
    expect(await processStripeEvent({ event: other.event, payload: JSON.stringify(other.event) })).toEqual({
      status: 'processed',
      userId: null,
      attempt: 1,
    });
  });
});
