import type Stripe from 'stripe';
import type { CurrentUser } from '../auth/current-user';
import { BillingError } from '../http/billing-error';

/** Stripe's billing portal for paying users, or the local simulator's portal without a key. */
export async function createPortalSession({
  stripe,
  user,
  baseUrl,
}: {
  stripe: Stripe | null;
  user: CurrentUser;
  baseUrl: string;
}): Promise<string> {
  if (!user.stripeCustomerId) throw new BillingError('No billing account yet: subscribe first.', 400);
  if (!stripe) return `${baseUrl}/simulator/portal`;
  const session = await stripe.billingPortal.sessions.create({ customer: user.stripeCustomerId, return_url: `${baseUrl}/dashboard` });
  return session.url;
}
