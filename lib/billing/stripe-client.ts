import Stripe from 'stripe';
import { env } from '../env';

const globalForStripe = globalThis as unknown as { stripe?: Stripe | null };

/** The one Stripe API client, at the SDK's pinned API version; null when no key is configured. */
export function getStripe(): Stripe | null {
  if (globalForStripe.stripe === undefined) {
    globalForStripe.stripe = env.STRIPE_SECRET_KEY
      ? new Stripe(env.STRIPE_SECRET_KEY, { appInfo: { name: 'acme-billing-webhooks' }, maxNetworkRetries: 2, timeout: 10_000 })
      : null;
  }
  return globalForStripe.stripe;
}
