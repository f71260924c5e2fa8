import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSecrets } from '../env';
import { verifyStripeSignature } from '../billing/webhook/verify-stripe-signature';
import { deliverCancellation, deliverCheckoutEvents } from './simulate-checkout';

type Received = { type: string; object: Record<string, unknown> };
const received: Received[] = [];
let failNext = 0;
let baseUrl = '';
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => {
    body += chunk.toString();
  });
  request.on('end', () => {
    if (failNext > 0) {
      failNext -= 1;
      return response.writeHead(500).end('{"error":"try again"}');
    }
    // The simulator signs like Stripe: the app's own verification accepts it.
    const event = verifyStripeSignature({
      rawBody: Buffer.from(body),
      header: request.headers['stripe-signature'] as string,
      secrets: webhookSecrets(),
    });
    received.push({ type: event.type, object: event.data.object as unknown as Record<string, unknown> });
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"processed"}');
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('test-mode checkout simulator', () => {
  it('delivers the signed events Stripe sends after a paid annual checkout, retrying a refused one', async () => {
    received.length = 0;
    failNext = 1;
    await deliverCheckoutEvents({
      user: { id: 'user_sim', email: 'sim@example.com', stripeCustomerId: null },
      lookupKey: 'pro_annual',
      baseUrl,
    });
    expect(received.map((event) => event.type).sort()).toEqual([
      'checkout.session.completed',
      'customer.created',
      'customer.subscription.created',
      'invoice.payment_succeeded',
    ]);
    const subscription = received.find((event) => event.type === 'customer.subscription.created')?.object as {
      metadata: Record<string, string>;
      status: string;
      items: { data: { price: { id: string; recurring: { interval: string } }; current_period_end: number }[] };
    };
    expect(subscription.metadata.user_id).toBe('user_sim');
    expect(subscription.status).toBe('active');
    expect(subscription.items.data[0]?.price).toMatchObject({
      id: 'price_sim_pro_annual',
      lookup_key: 'pro_annual',
      recurring: { interval: 'year' },
    });
    expect(subscription.items.data[0]?.current_period_end).toBeGreaterThan(Date.now() / 1000 + 360 * 86_400);
    const session = received.find((event) => event.type === 'checkout.session.completed')?.object;
    expect(session).toMatchObject({ client_reference_id: 'user_sim' });
  });

  it('starts a trial: trialing subscription, its period ending with the trial, a $0 first invoice', async () => {
    received.length = 0;
    const before = Math.floor(Date.now() / 1000);
    await deliverCheckoutEvents({
      user: { id: 'user_trial', email: null, stripeCustomerId: null },
      lookupKey: 'pro_monthly',
      baseUrl,
      trialDays: 14,
    });
    const subscription = received.find((event) => event.type === 'customer.subscription.created')?.object as {
      status: string;
      trial_start: number;
      trial_end: number;
      items: { data: { current_period_end: number }[] };
    };
    expect(subscription.status).toBe('trialing');
    expect(subscription.trial_end - subscription.trial_start).toBe(14 * 86_400);
    expect(subscription.trial_start).toBeGreaterThanOrEqual(before);
    expect(subscription.items.data[0]?.current_period_end).toBe(subscription.trial_end);
    const invoice = received.find((event) => event.type === 'invoice.payment_succeeded')?.object as {
      amount_paid: number;
      lines: { data: { period: { end: number } }[] };
    };
    expect(invoice.amount_paid).toBe(0);
    expect(invoice.lines.data[0]?.period.end).toBe(subscription.trial_end);
  });

  it('sells Team with the seats chosen (clamped to 2-100): the item quantity, and the invoice for all seats', async () => {
    received.length = 0;
    await deliverCheckoutEvents({
      user: { id: 'user_team', email: null, stripeCustomerId: null },
      lookupKey: 'team_monthly',
      seats: 5,
      baseUrl,
    });
    const subscription = received.find((event) => event.type === 'customer.subscription.created')?.object as {
      items: { data: { quantity: number; price: { lookup_key: string; unit_amount: number } }[] };
    };
    expect(subscription.items.data[0]).toMatchObject({ quantity: 5, price: { lookup_key: 'team_monthly', unit_amount: 1_500 } });
    expect(received.find((event) => event.type === 'invoice.payment_succeeded')?.object).toMatchObject({ amount_paid: 7_500 });
    received.length = 0;
    await deliverCheckoutEvents({
      user: { id: 'user_team', email: null, stripeCustomerId: null },
      lookupKey: 'team_annual',
      seats: 500,
      baseUrl,
    });
    const capped = received.find((event) => event.type === 'customer.subscription.created')?.object as {
      items: { data: { quantity: number }[] };
    };
    expect(capped.items.data[0]?.quantity).toBe(100);
  });

  it('reuses an existing customer and delivers the cancellation', async () => {
    received.length = 0;
    await deliverCheckoutEvents({
      user: { id: 'user_sim', email: null, stripeCustomerId: 'cus_known' },
      lookupKey: 'pro_monthly',
      baseUrl,
    });
    expect(received.map((event) => event.type)).not.toContain('customer.created');
    expect(received.every((event) => JSON.stringify(event.object).includes('cus_known'))).toBe(true);

    const status = await deliverCancellation({
      ids: { userId: 'user_sim', customerId: 'cus_known', subscriptionId: 'sub_known' },
      baseUrl,
    });
    expect(status).toBe(200);
    expect(received.at(-1)).toMatchObject({ type: 'customer.subscription.deleted', object: { id: 'sub_known', status: 'canceled' } });
    await expect(
      deliverCheckoutEvents({ user: { id: 'u', email: null, stripeCustomerId: null }, lookupKey: 'price_nope', baseUrl }),
    ).rejects.toThrow(/Unknown price/);
  });
});
