import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testPool } from '../../tests/support/database';
import { startStripeApiDouble } from '../../tests/support/stripe-api-double';
import { randomId } from '../../tests/support/stripe-events';
import { AlreadySubscribedError, BillingError, createCheckoutSession } from './create-checkout-session';
import { createPortalSession } from './create-portal-session';

let double: Awaited<ReturnType<typeof startStripeApiDouble>>;
const pool = testPool(inject('databaseUrl'));
beforeAll(async () => { double = await startStripeApiDouble(); });
afterAll(async () => {
  await double.close();
  await pool.end();
});

const baseUrl = 'https://app.example.com';
const newUser = { id: 'user_1', email: 'jenny@example.com', stripeCustomerId: null };
const payingUser = { id: 'user_2', email: 'sam@example.com', stripeCustomerId: 'cus_existing' };

describe('createCheckoutSession (real stripe-node against a local Stripe API double)', () => {
  it('creates a subscription session tied to the user, with success and cancel URLs', async () => {
    const url = await createCheckoutSession({ stripe: double.stripe, user: newUser, priceId: 'price_1PgagYB7WZ01zgkWq8YrLy20', baseUrl });
    expect(url).toBe('https://checkout.stripe.com/c/pay/cs_test_double');
    const request = double.requests.at(-1);
    expect(request?.path).toBe('/v1/checkout/sessions');
    const body = request?.body;
    expect(body?.get('mode')).toBe('subscription');
    expect(body?.get('client_reference_id')).toBe('user_1');
    expect(body?.get('subscription_data[metadata][user_id]')).toBe('user_1');
    expect(body?.get('metadata[user_id]')).toBe('user_1');
    expect(body?.get('line_items[0][price]')).toBe('price_1PgagYB7WZ01zgkWq8YrLy20');
    expect(body?.get('line_items[0][quantity]')).toBe('1');
    expect(body?.get('customer_email')).toBe('jenny@example.com');
    expect(body?.has('customer')).toBe(false);
    expect(body?.get('success_url')).toBe(`${baseUrl}/checkout/success?session_id={CHECKOUT_SESSION_ID}`);
    expect(body?.get('cancel_url')).toBe(`${baseUrl}/pricing?checkout=canceled`);
  });

  it('reuses the existing Stripe customer', async () => {
    await createCheckoutSession({ stripe: double.stripe, user: payingUser, priceId: 'price_1PgafmB7WZ01zgkW6dKueIc5', baseUrl });
    const body = double.requests.at(-1)?.body;
    expect(body?.get('customer')).toBe('cus_existing');
    expect(body?.has('customer_email')).toBe(false);
  });

  it('refuses an unknown price, and sends to the simulator without a Stripe key', async () => {
    await expect(createCheckoutSession({ stripe: double.stripe, user: newUser, priceId: 'price_evil', baseUrl })).rejects.toBeInstanceOf(BillingError);
    expect(await createCheckoutSession({ stripe: null, user: newUser, priceId: 'price_1PgafmB7WZ01zgkW6dKueIc5', baseUrl }))
      .toBe(`${baseUrl}/simulator/checkout?price=price_1PgafmB7WZ01zgkW6dKueIc5`);
  });
});

describe('createCheckoutSession for a customer who already pays', () => {
  const monthly = 'price_1PgafmB7WZ01zgkW6dKueIc5';
  const annual = 'price_1PgagYB7WZ01zgkWq8YrLy20';
  const insertRow = (values: { userId: string | null; customerId: string; status: string; isActive: boolean }) => pool.query(
    `INSERT INTO user_subscriptions (stripe_subscription_id, user_id, stripe_customer_id, stripe_price_id, plan, billing_period, status, is_active)
     VALUES ($1, $2, $3, $4, 'pro', 'monthly', $5, $6)`,
    [randomId('sub'), values.userId, values.customerId, monthly, values.status, values.isActive],
  );

  it.each(['active', 'trialing', 'past_due'])('refuses a second subscription while one is %s, with or without a Stripe key', async (status) => {
    const user = { id: randomId('user'), email: 'pays@example.com', stripeCustomerId: randomId('cus') };
    await insertRow({ userId: user.id, customerId: user.stripeCustomerId, status, isActive: true });
    const before = double.requests.length;
    for (const stripe of [double.stripe, null]) {
      const refusal = createCheckoutSession({ stripe, user, priceId: annual, baseUrl });
      await expect(refusal).rejects.toBeInstanceOf(AlreadySubscribedError);
      await expect(refusal).rejects.toMatchObject({ status: 409, message: 'You already have a subscription. Switch plans here instead: a second checkout would bill you twice.' });
    }
    expect(double.requests.length).toBe(before); // nothing asked of Stripe
  });

  it('refuses for a row the webhook has not linked to the user yet (matched by customer)', async () => {
    const user = { id: randomId('user'), email: null, stripeCustomerId: randomId('cus') };
    await insertRow({ userId: null, customerId: user.stripeCustomerId, status: 'active', isActive: true });
    await expect(createCheckoutSession({ stripe: null, user, priceId: annual, baseUrl })).rejects.toBeInstanceOf(AlreadySubscribedError);
  });

  it('refuses when Stripe has a live subscription the webhook has not stored yet', async () => {
    const user = { id: randomId('user'), email: null, stripeCustomerId: randomId('cus') };
    double.addSubscription({ id: randomId('sub'), customer: user.stripeCustomerId, status: 'trialing', priceId: monthly });
    await expect(createCheckoutSession({ stripe: double.stripe, user, priceId: annual, baseUrl })).rejects.toBeInstanceOf(AlreadySubscribedError);
    const request = double.requests.at(-1);
    expect(request?.method).toBe('GET');
    expect(request?.body.get('customer')).toBe(user.stripeCustomerId);
    expect(request?.body.get('status')).toBe('all');
    expect(double.requests.some((candidate) => candidate.path === '/v1/checkout/sessions' && candidate.body.get('customer') === user.stripeCustomerId)).toBe(false);
  });

  it('opens checkout again after the subscription ended', async () => {
    const user = { id: randomId('user'), email: null, stripeCustomerId: randomId('cus') };
    await insertRow({ userId: user.id, customerId: user.stripeCustomerId, status: 'canceled', isActive: false });
    double.addSubscription({ id: randomId('sub'), customer: user.stripeCustomerId, status: 'canceled', priceId: monthly });
    expect(await createCheckoutSession({ stripe: double.stripe, user, priceId: annual, baseUrl })).toBe('https://checkout.stripe.com/c/pay/cs_test_double');
    expect(double.requests.at(-1)?.body.get('customer')).toBe(user.stripeCustomerId);
  });
});

describe('createPortalSession', () => {
  it('opens the portal for the customer and returns to the dashboard', async () => {
    expect(await createPortalSession({ stripe: double.stripe, user: payingUser, baseUrl })).toBe('https://billing.stripe.com/p/session/double');
    const request = double.requests.at(-1);
    expect(request?.path).toBe('/v1/billing_portal/sessions');
    expect(request?.body.get('customer')).toBe('cus_existing');
    expect(request?.body.get('return_url')).toBe(`${baseUrl}/dashboard`);
  });

  it('needs a customer, and uses the simulator portal without a key', async () => {
    await expect(createPortalSession({ stripe: double.stripe, user: newUser, baseUrl })).rejects.toThrow(/subscribe first/);
    expect(await createPortalSession({ stripe: null, user: payingUser, baseUrl })).toBe(`${baseUrl}/simulator/portal`);
  });
});
