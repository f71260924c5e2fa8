import type Stripe from 'stripe';
import type { CurrentUser } from '../auth/current-user';
import { findLiveStripeSubscriptionId, findLiveSubscription } from './find-live-subscription';
import { findPrice } from './plans';

export class BillingError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'BillingError';
  }
}

/** Checkout refused: the customer already has a subscription, which a plan change updates instead. */
export class AlreadySubscribedError extends BillingError {
  constructor() {
    super('You already have a subscription. Switch plans here instead: a second checkout would bill you twice.', 409);
    this.name = 'AlreadySubscribedError';
  }
}

type CreateCheckoutSessionOptions = {
  stripe: Stripe | null;
  user: CurrentUser;
  priceId: string;
  baseUrl: string;
};

/**
 * Where to send the user to pay: a Stripe Checkout Session (subscription mode, the user's id as
 * `client_reference_id` and in the subscription's metadata, their customer reused), or, with no
 * Stripe key, the local test-mode simulator. Refused (AlreadySubscribedError) when the user already
 * has an active, trialing or past_due subscription, in the database or, for a known customer, at
 * Stripe (a payment whose webhook has not arrived yet).
 */
export async function createCheckoutSession({ stripe, user, priceId, baseUrl }: CreateCheckoutSessionOptions): Promise<string> {
  const price = findPrice(priceId);
  if (!price) throw new BillingError('Unknown price.', 400);
  if (await findLiveSubscription(user)) throw new AlreadySubscribedError();
  if (!stripe) return `${baseUrl}/simulator/checkout?price=${encodeURIComponent(price.id)}`;

  if (user.stripeCustomerId && (await findLiveStripeSubscriptionId(stripe, user.stripeCustomerId))) throw new AlreadySubscribedError();

  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: price.id, quantity: 1 }],
    client_reference_id: user.id,
    metadata: { user_id: user.id },
    subscription_data: { metadata: { user_id: user.id } },
    ...(user.stripeCustomerId ? { customer: user.stripeCustomerId } : user.email ? { customer_email: user.email } : {}),
    success_url: `${baseUrl}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${baseUrl}/pricing?checkout=canceled`,
    allow_promotion_codes: true,
  });
  if (!session.url) throw new BillingError('Stripe did not return a checkout URL.', 502);
  return session.url;
}
