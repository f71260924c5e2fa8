import type Stripe from 'stripe';

/** Stripe's largest list page. */
export const SUBSCRIPTION_PAGE_SIZE = 100;

/** One page of subscriptions and the moment it was asked for (Unix seconds): no later than its fetch. */
export type SubscriptionPage = { subscriptions: Stripe.Subscription[]; observedAt: number };

type ListOptions = {
  stripe: Stripe;
  /** Continue after this subscription (Stripe's `starting_after`, towards older ones). */
  startingAfter?: string | null;
  now?: () => number;
};

/**
 * Every subscription of the account, whatever its status (`status=all`; the default leaves out
 * canceled ones), newest first, a page at a time. Each page's items carry their whole price, so no
 * request per subscription is needed. Paged by hand rather than with stripe-node's auto-pagination
 * so each snapshot knows when it was taken: the time before its page's request.
 */
export async function* listStripeSubscriptions({
  stripe,
  startingAfter = null,
  now = Date.now,
}: ListOptions): AsyncGenerator<SubscriptionPage> {
  let after = startingAfter;
  for (;;) {
    const observedAt = Math.floor(now() / 1000);
    const page = await stripe.subscriptions.list({
      status: 'all',
      limit: SUBSCRIPTION_PAGE_SIZE,
      ...(after ? { starting_after: after } : {}),
    });
    if (page.data.length > 0) yield { subscriptions: page.data, observedAt };
    const last = page.data.at(-1);
    if (!page.has_more || !last) return;
    after = last.id;
  }
}
