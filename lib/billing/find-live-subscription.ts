import type Stripe from 'stripe';
import type { CurrentUser } from '../auth/current-user';
import { getPrisma } from '../db/client';
import { isActiveStatus } from './plans';
import { realSubscriptionsOnly } from './real-subscriptions-only';

/**
 * The user's subscription that Stripe is still billing (active, trialing or past_due), matched by
 * user or by their Stripe customer (a row the webhook has not linked to the user yet), or null. The
 * simulator's rows count only while it is on, so they never block a real checkout.
 */
export async function findLiveSubscription(user: Pick<CurrentUser, 'id' | 'stripeCustomerId'>) {
  return getPrisma().userSubscription.findFirst({
    where: {
      isActive: true,
      OR: [{ userId: user.id }, ...(user.stripeCustomerId ? [{ stripeCustomerId: user.stripeCustomerId }] : [])],
      AND: [realSubscriptionsOnly()],
    },
    orderBy: { updatedAt: 'desc' },
  });
}

/**
 * Asks Stripe whether the customer already has a live subscription: covers a payment whose webhook
 * has not arrived yet. Returns its id, or null.
 */
export async function findLiveStripeSubscriptionId(stripe: Stripe, customerId: string): Promise<string | null> {
  const subscriptions = await stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 20 });
  return subscriptions.data.find((subscription) => isActiveStatus(subscription.status))?.id ?? null;
}
