import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testPool } from '../../tests/support/database';
import { startStripeApiDouble } from '../../tests/support/stripe-api-double';
import { randomId } from '../../tests/support/stripe-events';
import { BillingError } from '../http/billing-error';
import { AlreadySubscribedError, createCheckoutSession, parseCheckoutForm } from './create-checkout-session';
import { createPortalSession } from './create-portal-session';
import { forgetCatalogPriceIds } from './resolve-catalog-price';

let double: Awaited<ReturnType<typeof startStripeApiDouble>>;
const pool = testPool(inject('databaseUrl'));
beforeAll(async () => {
  double = await startStripeApiDouble();
  // The account as `npm run stripe:setup` leaves it: the catalog's prices under their lookup keys.
  double.catalog.addPrice({ id: 'price_acct_pro_monthly', lookupKey: 'pro_monthly', unitAmount: 2_000, interval: 'month' });
  double.catalog.addPrice({ id: 'price_acct_pro_annual', lookupKey: 'pro_annual', unitAmount: 20_000, interval: 'year' });
  double.catalog.addPrice({ id: 'price_acct_team_monthly', lookupKey: 'team_monthly', unitAmount: 1_500, interval: 'month' });
  double.catalog.addPrice({ id: 'price_old_team_annual', lookupKey: null, unitAmount: 15_000, interval: 'year' });
  forgetCatalogPriceIds();
});
afterAll(async () => {
  await double.close();
  await pool.end();
});

const baseUrl = 'https://app.example.com';
const newUser = { id: 'user_1', email: 'jenny@example.com', stripeCustomerId: null };
const payingUser = { id: 'user_2', email: 'sam@example.com', stripeCustomerId: 'cus_existing' };

describe('createCheckoutSession (real stripe-node against a local Stripe API double)', () => {
  it('sells the catalog price found by its lookup key, tied to the user, with the plan trial for a new customer', async () => {
    const user = { ...newUser, id: randomId('user') };
    const url = await createCheckoutSession({ stripe: double.stripe, user, lookupKey: 'pro_annual', baseUrl });
    expect(url).toBe('https://checkout.stripe.com/c/pay/cs_test_double');
    const request = double.requests.at(-1);
    expect(request?.path).toBe('/v1/checkout/sessions');
    const body = request?.body;
    expect(body?.get('mode')).toBe('subscription');
    expect(body?.get('client_reference_id')).toBe(user.id);
    expect(body?.get('subscription_data[metadata][user_id]')).toBe(user.id);
    expect(body?.get('subscription_data[trial_period_days]')).toBe('14');
    expect(body?.get('metadata[user_id]')).toBe(user.id);
    expect(body?.get('line_items[0][price]')).toBe('price_acct_pro_annual');
    expect(body?.get('line_items[0][quantity]')).toBe('1');
    expect(body?.get('customer_email')).toBe('jenny@example.com');
    expect(body?.has('customer')).toBe(false);
    expect(body?.get('success_url')).toBe(`${baseUrl}/checkout/success?session_id={CHECKOUT_SESSION_ID}`);
    expect(body?.get('cancel_url')).toBe(`${baseUrl}/pricing?checkout=canceled`);
  });

  it('asks Stripe for the catalog price ids once (all lookup keys in one call), then from the cache', async () => {
    forgetCatalogPriceIds();
    const before = double.requests.length;
    await createCheckoutSession({ stripe: double.stripe, user: { ...newUser, id: randomId('user') }, lookupKey: 'pro_monthly', baseUrl });
    await createCheckoutSession({
      stripe: double.stripe,
      user: { ...newUser, id: randomId('user') },
      lookupKey: 'team_monthly',
      seats: 3,
      baseUrl,
    });
    const lookups = double.requests.slice(before).filter((request) => request.path.startsWith('/v1/prices'));
    expect(lookups).toHaveLength(1);
    expect([0, 1, 2, 3, 4].map((index) => lookups[0]?.body.get(`lookup_keys[${index}]`) ?? null)).toEqual([
      'pro_monthly',
      'pro_annual',
      'team_monthly',
      'team_annual',
      null,
    ]);
    expect(double.requests.at(-1)?.body.get('line_items[0][price]')).toBe('price_acct_team_monthly');
  });

  it('sells Team with the seats chosen (within 2-100) and without a trial', async () => {
    await createCheckoutSession({
      stripe: double.stripe,
      user: { ...newUser, id: randomId('user') },
      lookupKey: 'team_monthly',
      seats: 5,
      baseUrl,
    });
    expect(double.requests.at(-1)?.body.get('line_items[0][quantity]')).toBe('5');
    expect(double.requests.at(-1)?.body.has('subscription_data[trial_period_days]')).toBe(false);
    await createCheckoutSession({
      stripe: double.stripe,
      user: { ...newUser, id: randomId('user') },
      lookupKey: 'team_monthly',
      seats: 1,
      baseUrl,
    });
    expect(double.requests.at(-1)?.body.get('line_items[0][quantity]')).toBe('2');
  });

  it('gives no trial to a customer who had a subscription before, however it ended', async () => {
    const user = { id: randomId('user'), email: null, stripeCustomerId: randomId('cus') };
    await pool.query(
      `INSERT INTO user_subscriptions (stripe_subscription_id, stripe_customer_id, plan, status, is_active) VALUES ($1, $2, 'pro', 'canceled', false)`,
      [randomId('sub'), user.stripeCustomerId],
    );
    await createCheckoutSession({ stripe: double.stripe, user, lookupKey: 'pro_monthly', baseUrl });
    expect(double.requests.at(-1)?.body.get('customer')).toBe(user.stripeCustomerId);
    expect(double.requests.at(-1)?.body.has('subscription_data[trial_period_days]')).toBe(false);
  });

  it('reuses the existing Stripe customer', async () => {
    await createCheckoutSession({ stripe: double.stripe, user: payingUser, lookupKey: 'pro_monthly', baseUrl });
    const body = double.requests.at(-1)?.body;
    expect(body?.get('customer')).toBe('cus_existing');
    expect(body?.has('customer_email')).toBe(false);
  });

  it('refuses an unknown price or one the account lacks, and sends to the simulator without a Stripe key', async () => {
    await expect(
      createCheckoutSession({ stripe: double.stripe, user: newUser, lookupKey: 'price_1PgafmB7WZ01zgkW6dKueIc5', baseUrl }),
    ).rejects.toBeInstanceOf(BillingError);
    await expect(createCheckoutSession({ stripe: double.stripe, user: newUser, lookupKey: 'team_annual', baseUrl })).rejects.toMatchObject({
      status: 503,
      message: 'This Stripe account has no price with lookup key team_annual: run npm run stripe:setup.',
    });
    expect(await createCheckoutSession({ stripe: null, user: newUser, lookupKey: 'pro_monthly', baseUrl })).toBe(
      `${baseUrl}/simulator/checkout?price=pro_monthly`,
    );
    expect(await createCheckoutSession({ stripe: null, user: newUser, lookupKey: 'team_annual', seats: 7, baseUrl })).toBe(
      `${baseUrl}/simulator/checkout?price=team_annual&seats=7`,
    );
  });

  it('reads the pricing form: a lookup key, and seats when given', () => {
    const form = (fields: Record<string, string>) => {
      const data = new FormData();
      for (const [name, value] of Object.entries(fields)) data.set(name, value);
      return data;
    };
    expect(parseCheckoutForm(form({ lookupKey: 'team_monthly', seats: '12' }))).toEqual({ lookupKey: 'team_monthly', seats: 12 });
    expect(parseCheckoutForm(form({ lookupKey: 'pro_monthly', seats: 'many' }))).toEqual({ lookupKey: 'pro_monthly', seats: null });
    expect(parseCheckoutForm(form({ lookupKey: 'pro_monthly' }))).toEqual({ lookupKey: 'pro_monthly', seats: null });
    expect(() => parseCheckoutForm(form({}))).toThrow('Unknown price.');
  });
});

describe('createCheckoutSession for a customer who already pays', () => {
  const monthly = 'price_acct_pro_monthly';
  const annual = 'pro_annual';
  const insertRow = (values: { userId: string | null; customerId: string; status: string; isActive: boolean }) =>
    pool.query(
      `INSERT INTO user_subscriptions (stripe_subscription_id, user_id, stripe_customer_id, stripe_price_id, plan, billing_period, status, is_active)
     VALUES ($1, $2, $3, $4, 'pro', 'monthly', $5, $6)`,
      [randomId('sub'), values.userId, values.customerId, monthly, values.status, values.isActive],
    );

  it.each(['active', 'trialing', 'past_due'])(
    'refuses a second subscription while one is %s, with or without a Stripe key',
    async (status) => {
      const user = { id: randomId('user'), email: 'pays@example.com', stripeCustomerId: randomId('cus') };
      await insertRow({ userId: user.id, customerId: user.stripeCustomerId, status, isActive: true });
      const before = double.requests.length;
      for (const stripe of [double.stripe, null]) {
        const refusal = createCheckoutSession({ stripe, user, lookupKey: annual, baseUrl });
        await expect(refusal).rejects.toBeInstanceOf(AlreadySubscribedError);
        await expect(refusal).rejects.toMatchObject({
          status: 409,
          message: 'You already have a subscription. Switch plans here instead: a second checkout would bill you twice.',
        });
      }
      expect(double.requests.length).toBe(before); // nothing asked of Stripe
    },
  );

  it('refuses for a row the webhook has not linked to the user yet (matched by customer)', async () => {
    const user = { id: randomId('user'), email: null, stripeCustomerId: randomId('cus') };
    await insertRow({ userId: null, customerId: user.stripeCustomerId, status: 'active', isActive: true });
    await expect(createCheckoutSession({ stripe: null, user, lookupKey: annual, baseUrl })).rejects.toBeInstanceOf(AlreadySubscribedError);
  });

  it('refuses when Stripe has a live subscription the webhook has not stored yet', async () => {
    const user = { id: randomId('user'), email: null, stripeCustomerId: randomId('cus') };
    double.addSubscription({ id: randomId('sub'), customer: user.stripeCustomerId, status: 'trialing', priceId: monthly });
    await expect(createCheckoutSession({ stripe: double.stripe, user, lookupKey: annual, baseUrl })).rejects.toBeInstanceOf(
      AlreadySubscribedError,
    );
    const request = double.requests.at(-1);
    expect(request?.method).toBe('GET');
    expect(request?.body.get('customer')).toBe(user.stripeCustomerId);
    expect(request?.body.get('status')).toBe('all');
    expect(
      double.requests.some(
        (candidate) => candidate.path === '/v1/checkout/sessions' && candidate.body.get('customer') === user.stripeCustomerId,
      ),
    ).toBe(false);
  });

  it('opens checkout again after the subscription ended', async () => {
    const user = { id: randomId('user'), email: null, stripeCustomerId: randomId('cus') };
    await insertRow({ userId: user.id, customerId: user.stripeCustomerId, status: 'canceled', isActive: false });
    double.addSubscription({ id: randomId('sub'), customer: user.stripeCustomerId, status: 'canceled', priceId: monthly });
    expect(await createCheckoutSession({ stripe: double.stripe, user, lookupKey: annual, baseUrl })).toBe(
      'https://checkout.stripe.com/c/pay/cs_test_double',
    );
    expect(double.requests.at(-1)?.body.get('customer')).toBe(user.stripeCustomerId);
  });
});

describe('createPortalSession', () => {
  it('opens the portal for the customer and returns to the dashboard', async () => {
    expect(await createPortalSession({ stripe: double.stripe, user: payingUser, baseUrl })).toBe(
      'https://billing.stripe.com/p/session/double',
    );
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
