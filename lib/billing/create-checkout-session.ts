import type Stripe from 'stripe';
import type { CurrentUser } from '../auth/current-user';
import { PRICES } from './plans';

export class BillingError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'BillingError';
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
 * Stripe key, the local test-mode simulator.
 */
export async function createCheckoutSession({ stripe, user, priceId, baseUrl }: CreateCheckoutSessionOptions): Promise<string> {
  const price = PRICES.find((candidate) => candidate.id === priceId);
  if (!price) throw new BillingError('Unknown price.', 400);
  if (!stripe) return `${baseUrl}/simulator/checkout?price=${encodeURIComponent(price.id)}`;

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
