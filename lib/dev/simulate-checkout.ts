import { webhookSecrets } from '../env';
import { errorMessage, logger } from '../logger';
import type { CurrentUser } from '../auth/current-user';
import { type CatalogPrice, clampSeats, findCatalogPrice } from '../billing/catalog';
import { SIMULATED_PRICE_PREFIX } from '../billing/real-subscriptions-only';
import { buildTestEvent, signTestEvent, stripeLikeId, type TestEventIds, type TestPrice } from './test-events';
import { shuffle } from './shuffle';

const DAY_SECONDS = 86_400;

/** Posts one signed event to the app's own webhook over HTTP, exactly as Stripe would. */
export async function postSignedEvent(baseUrl: string, body: string): Promise<number> {
  const [secret] = webhookSecrets();
  if (!secret) throw new Error('STRIPE_WEBHOOK_SECRET is not set');
  const response = await fetch(`${baseUrl}/api/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signTestEvent(body, secret) },
    body,
  });
  return response.status;
}

/** Posts one event, retrying like Stripe (here: 3 attempts) until the app answers 200; returns the last status. */
export async function postSignedEventWithRetries(baseUrl: string, body: string): Promise<number> {
  let status = 0;
  let error: string | undefined;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    status = await postSignedEvent(baseUrl, body).catch((cause: unknown) => {
      error = errorMessage(cause);
      return 0;
    });
    if (status === 200) return status;
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
  logger.error('Simulator delivery not accepted after 3 attempts', { base_url: baseUrl, status, ...(error ? { error } : {}) });
  return status;
}

/** The id the simulator gives a catalog price (a real account has its own `price_...` ids). */
export function simulatedPriceId(lookupKey: string): string {
  return `${SIMULATED_PRICE_PREFIX}${lookupKey}`;
}

/** The price a test subscription bills, as the event builders take it: a catalog price with its seats. */
export function billingOf(price: CatalogPrice, seats?: number | null): TestPrice {
  return {
    id: simulatedPriceId(price.lookupKey),
    lookupKey: price.lookupKey,
    interval: price.billingPeriod === 'annual' ? 'year' : 'month',
    amountCents: price.unitAmountCents,
    quantity: clampSeats(price, seats),
  };
}

/** What a period of this price costs: the unit amount times the seats. */
export function totalCents(billing: TestPrice): number {
  return billing.amountCents * (billing.quantity ?? 1);
}

/**
 * What Stripe sends after a paid subscription checkout, delivered in Stripe's real fashion: all at
 * once, in no particular order (the subscription may land before checkout.session.completed), with
 * a retry for any delivery the app did not accept. With `trialDays`, the subscription starts
 * `trialing` (as with Checkout's `subscription_data.trial_period_days`) and the first invoice is $0.
 */
export async function deliverCheckoutEvents({
  user,
  lookupKey,
  seats,
  baseUrl,
  trialDays,
}: {
  user: CurrentUser;
  lookupKey: string;
  seats?: number | null;
  baseUrl: string;
  trialDays?: number;
}): Promise<void> {
  const price = findCatalogPrice(lookupKey);
  if (!price) throw new Error(`Unknown price ${lookupKey}`);
  const billing = billingOf(price, seats);
  const ids: TestEventIds = {
    userId: user.id,
    customerId: user.stripeCustomerId ?? stripeLikeId('cus'),
    subscriptionId: stripeLikeId('sub'),
  };
  const now = Math.floor(Date.now() / 1000);
  const trial = trialDays ? { start: now, end: now + trialDays * DAY_SECONDS } : undefined;
  const period = trial ?? { start: now, end: now + (billing.interval === 'year' ? 365 : 30) * DAY_SECONDS };
  const bodies = [
    ...(user.stripeCustomerId ? [] : [buildTestEvent('customer.created', { ids, created: now })]),
    buildTestEvent('customer.subscription.created', {
      ids,
      created: now,
      price: billing,
      period,
      trial,
      status: trial ? 'trialing' : 'active',
    }),
    buildTestEvent('checkout.session.completed', { ids, created: now }),
    buildTestEvent('invoice.payment_succeeded', {
      ids,
      created: now,
      period,
      amountCents: trial ? 0 : totalCents(billing),
      billingReason: 'subscription_create',
    }),
  ];
  await Promise.all(shuffle(bodies).map((body) => postSignedEventWithRetries(baseUrl, body)));
}

/** The simulator portal's "cancel now": Stripe sends customer.subscription.deleted. */
export async function deliverCancellation({ ids, baseUrl }: { ids: TestEventIds; baseUrl: string }): Promise<number> {
  return postSignedEvent(baseUrl, buildTestEvent('customer.subscription.deleted', { ids }));
}
