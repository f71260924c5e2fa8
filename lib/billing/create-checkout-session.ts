import type Stripe from 'stripe';
import { z } from 'zod';
import type { CurrentUser } from '../auth/current-user';
import { getPrisma } from '../db/client';
import { BillingError } from '../http/billing-error';
import { clampSeats, findCatalogPrice, freeTrialDays, type PlanId } from './catalog';
import { findLiveStripeSubscriptionId, findLiveSubscription } from './find-live-subscription';
import { resolveCatalogPriceId } from './resolve-catalog-price';

/** The Stripe account has no price under a catalog lookup key: `npm run stripe:setup` creates them. */
export class MissingCatalogPriceError extends BillingError {
  constructor(lookupKey: string) {
    super(`This Stripe account has no price with lookup key ${lookupKey}: run npm run stripe:setup.`, 503);
    this.name = 'MissingCatalogPriceError';
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
  /** The catalog price's lookup key, as the pricing page posts it. */
  lookupKey: string;
  /** Seats, for a per-seat plan (clamped to the plan's range). */
  seats?: number | null;
  baseUrl: string;
};

/** The pricing page's checkout form: the price's lookup key and, for a per-seat plan, the seats (a blank or bad count is none). */
export const checkoutForm = z
  .object({
    lookupKey: z.string().min(1).max(100),
    seats: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
  })
  .transform((form) => ({ lookupKey: form.lookupKey, seats: form.seats ?? null }));

/** The checkout form's fields, or a BillingError (400). */
export function parseCheckoutForm(form: FormData): { lookupKey: string; seats: number | null } {
  const parsed = checkoutForm.safeParse({ lookupKey: form.get('lookupKey') ?? undefined, seats: form.get('seats') || undefined });
  if (!parsed.success) throw new BillingError('Unknown price.', 400);
  return parsed.data;
}

/**
 * The plan's free trial, in days, for a user who never had a subscription (by user or by their
 * Stripe customer); none for anyone who had one, however it ended.
 */
export async function trialDaysFor(user: Pick<CurrentUser, 'id' | 'stripeCustomerId'>, plan: PlanId): Promise<number | null> {
  const days = freeTrialDays(plan);
  if (!days) return null;
  const earlier = await getPrisma().userSubscription.findFirst({
    where: { OR: [{ userId: user.id }, ...(user.stripeCustomerId ? [{ stripeCustomerId: user.stripeCustomerId }] : [])] },
    select: { id: true },
  });
  return earlier ? null : days;
}

/**
 * Where to send the user to pay: a Stripe Checkout Session for a catalog price (resolved by lookup
 * key; seats for a per-seat plan; the plan's trial for a user who never had a subscription; the
 * user's id as `client_reference_id` and in the subscription's metadata, their customer reused), or, with no
 * Stripe key, the local test-mode simulator. Refused (AlreadySubscribedError) when the user already
 * has an active, trialing or past_due subscription, in the database or, for a known customer, at
 * Stripe (a payment whose webhook has not arrived yet).
 */
export async function createCheckoutSession({ stripe, user, lookupKey, seats, baseUrl }: CreateCheckoutSessionOptions): Promise<string> {
  const price = findCatalogPrice(lookupKey);
  if (!price) throw new BillingError('Unknown price.', 400);
  const quantity = clampSeats(price, seats);
  if (await findLiveSubscription(user)) throw new AlreadySubscribedError();
  if (!stripe) {
    const query = new URLSearchParams({ price: price.lookupKey, ...(price.seats ? { seats: String(quantity) } : {}) });
    return `${baseUrl}/simulator/checkout?${query}`;
  }

  if (user.stripeCustomerId && (await findLiveStripeSubscriptionId(stripe, user.stripeCustomerId))) throw new AlreadySubscribedError();
  const priceId = await resolveCatalogPriceId(stripe, price);
  if (!priceId) throw new MissingCatalogPriceError(price.lookupKey);
  const trialDays = await trialDaysFor(user, price.plan);

  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: priceId, quantity }],
    client_reference_id: user.id,
    metadata: { user_id: user.id },
    subscription_data: { metadata: { user_id: user.id }, ...(trialDays ? { trial_period_days: trialDays } : {}) },
    ...(user.stripeCustomerId ? { customer: user.stripeCustomerId } : user.email ? { customer_email: user.email } : {}),
    success_url: `${baseUrl}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${baseUrl}/pricing?checkout=canceled`,
    allow_promotion_codes: true,
  });
  if (!session.url) throw new BillingError('Stripe did not return a checkout URL.', 502);
  return session.url;
}
