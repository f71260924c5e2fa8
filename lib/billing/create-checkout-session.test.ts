import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeApiDouble } from '../../tests/support/stripe-api-double';
import { BillingError, createCheckoutSession } from './create-checkout-session';
import { createPortalSession } from './create-portal-session';

let double: Awaited<ReturnType<typeof startStripeApiDouble>>;
beforeAll(async () => { double = await startStripeApiDouble(); });
afterAll(() => double.close());

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
