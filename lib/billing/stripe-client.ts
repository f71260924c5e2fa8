import Stripe from 'stripe';
import { env } from '../env';

const globalForStripe = globalThis as unknown as { stripe?: Stripe | null };

export type StripeApiAddress = { host: string; port: number; protocol: 'http' | 'https' };

/** stripe-node takes its base URL as host, port and protocol; null keeps Stripe's own API. */
export function stripeApiAddress(baseUrl: string | undefined): StripeApiAddress | null {
  if (!baseUrl) return null;
  const url = new URL(baseUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol };
}

/**
 * The one Stripe API client, at the SDK's pinned API version, at STRIPE_API_URL when set;
 * null when no key is configured.
 */
export function getStripe(): Stripe | null {
  if (globalForStripe.stripe === undefined) {
    globalForStripe.stripe = env.STRIPE_SECRET_KEY
      ? new Stripe(env.STRIPE_SECRET_KEY, {
          apiVersion: Stripe.API_VERSION,
          appInfo: { name: 'acme-billing-webhooks' },
          maxNetworkRetries: 2,
          timeout: 10_000,
          ...stripeApiAddress(env.STRIPE_API_URL),
        })
      : null;
  }
  return globalForStripe.stripe;
}
