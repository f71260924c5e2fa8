import { webhookSecrets } from '../env';
import { logger } from '../logger';
import type { CurrentUser } from '../auth/current-user';
import { PRICES } from '../billing/plans';
import { buildTestEvent, signTestEvent, stripeLikeId, type TestEventIds } from './test-events';
import { shuffle } from './shuffle';

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

/**
 * What Stripe sends after a paid subscription checkout, delivered in Stripe's real fashion: all at
 * once, in no particular order (the subscription may land before checkout.session.completed), with
 * a retry for any delivery the app did not accept.
 */
export async function deliverCheckoutEvents({ user, priceId, baseUrl }: { user: CurrentUser; priceId: string; baseUrl: string }): Promise<void> {
  const price = PRICES.find((candidate) => candidate.id === priceId);
  if (!price) throw new Error(`Unknown price ${priceId}`);
  const ids: TestEventIds = { userId: user.id, customerId: user.stripeCustomerId ?? stripeLikeId('cus'), subscriptionId: stripeLikeId('sub') };
  const billing = { id: price.id, interval: price.billingPeriod === 'annual' ? 'year' : 'month', amountCents: price.amountCents } as const;
  const bodies = [
    ...(user.stripeCustomerId ? [] : [buildTestEvent('customer.created', { ids })]),
    buildTestEvent('customer.subscription.created', { ids, price: billing, status: 'active' }),
    buildTestEvent('checkout.session.completed', { ids }),
    buildTestEvent('invoice.payment_succeeded', { ids }),
  ];
  await Promise.all(shuffle(bodies).map(async (body) => {
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const status = await postSignedEvent(baseUrl, body).catch(() => 0);
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
    logger.error('Simulator delivery not accepted after 3 attempts', { base_url: baseUrl });
  }));
}

/** The simulator portal's "cancel now": Stripe sends customer.subscription.deleted. */
export async function deliverCancellation({ ids, baseUrl }: { ids: TestEventIds; baseUrl: string }): Promise<number> {
  return postSignedEvent(baseUrl, buildTestEvent('customer.subscription.deleted', { ids }));
}
