import type Stripe from 'stripe';
import { z } from 'zod';
import type { CurrentUser } from '../auth/current-user';
import type { UserSubscription } from '../db/generated/client';
import { formatDate, formatUsd } from '../format';
import { BillingError } from './create-checkout-session';
import { findLiveSubscription } from './find-live-subscription';
import { findPrice, type Price, priceLabel } from './plans';

/** What a customer can change on their own subscription from the app's pages. */
export type SubscriptionChange =
  | { kind: 'switch_price'; priceId: string }
  | { kind: 'cancel_at_period_end' }
  | { kind: 'resume' };

const changeForm = z.discriminatedUnion('change', [
  z.object({ change: z.literal('switch_price'), priceId: z.string().min(1) }),
  z.object({ change: z.literal('cancel_at_period_end') }),
  z.object({ change: z.literal('resume') }),
]);

/** The change a form posts (`change` = switch_price | cancel_at_period_end | resume, `priceId`). */
export function parseSubscriptionChange(form: FormData): SubscriptionChange {
  const parsed = changeForm.safeParse(Object.fromEntries([...form.entries()].filter(([, value]) => typeof value === 'string')));
  if (!parsed.success) throw new BillingError('Unknown subscription change.', 400);
  return parsed.data.change === 'switch_price' ? { kind: 'switch_price', priceId: parsed.data.priceId } : { kind: parsed.data.change };
}

export type PreparedSubscriptionChange = { subscription: UserSubscription; change: SubscriptionChange };

/**
 * Checks a change against the user's live subscription (active, trialing or past_due) and returns
 * the row it applies to; a BillingError says why it cannot be made.
 */
export async function prepareSubscriptionChange(user: Pick<CurrentUser, 'id' | 'stripeCustomerId'>, change: SubscriptionChange): Promise<PreparedSubscriptionChange> {
  const subscription = await findLiveSubscription(user);
  if (!subscription) throw new BillingError('You have no subscription to change: choose a plan first.', 400);
  if (change.kind === 'switch_price') {
    const price = findPrice(change.priceId);
    if (!price) throw new BillingError('Unknown price.', 400);
    if (subscription.stripePriceId === price.id) throw new BillingError(`You are already on ${priceLabel(price)}.`, 400);
    if (subscription.status === 'past_due') throw new BillingError('Your last payment failed: update your card before switching plans.', 400);
  }
  if (change.kind === 'resume' && !subscription.cancelAtPeriodEnd) throw new BillingError('Your subscription is not set to cancel.', 400);
  return { subscription, change };
}

const subscriptionItems = z.object({ items: z.object({ data: z.array(z.object({ id: z.string(), price: z.object({ id: z.string() }) })).min(1) }) });

/**
 * Makes the change at Stripe on the existing subscription (never a second one). The stored state
 * follows through the webhook (`customer.subscription.updated`), like every other change.
 * - switch_price: the subscription's item gets the new price, prorated (`create_prorations`);
 * - cancel_at_period_end / resume: `cancel_at_period_end` true / false.
 */
export async function applySubscriptionChange(stripe: Stripe, { subscription, change }: PreparedSubscriptionChange): Promise<void> {
  const id = subscription.stripeSubscriptionId;
  if (change.kind === 'cancel_at_period_end' || change.kind === 'resume') {
    await stripe.subscriptions.update(id, { cancel_at_period_end: change.kind === 'cancel_at_period_end' });
    return;
  }
  // The item to re-price: the row stores the price, not the item id.
  const parsed = subscriptionItems.safeParse(await stripe.subscriptions.retrieve(id));
  if (!parsed.success) throw new BillingError('Stripe returned a subscription without items.', 502);
  const [item] = parsed.data.items.data;
  if (!item || parsed.data.items.data.length !== 1) throw new BillingError('This subscription has several items: change it in the billing portal.', 409);
  if (item.price.id === change.priceId) return;
  await stripe.subscriptions.update(id, {
    items: [{ id: item.id, price: change.priceId }],
    proration_behavior: 'create_prorations',
  });
}

/**
 * What switching from `current` to `target` costs today, as the pricing page states it. Monthly and
 * annual prices have different intervals, so Stripe restarts the billing period on the day of the
 * switch and invoices at once (while a trial runs, the trial continues and nothing is charged).
 */
export function prorationStatement({ target, current, status, trialEnd }: { target: Price; current: Price | undefined; status: string; trialEnd: Date | null }): string {
  if (status === 'trialing') {
    return `Your free trial continues until ${formatDate(trialEnd)}: nothing is charged today, and ${priceLabel(target)} is billed when the trial ends.`;
  }
  const unused = current ? `your current ${priceLabel(current)} period` : 'your current period';
  return `You'll be charged ${formatUsd(target.amountCents)} today for a new ${target.billingPeriod === 'annual' ? 'year' : 'month'} of ${priceLabel(target)}, `
    + `minus a prorated credit for the unused time of ${unused}. Any credit left over stays on your account and pays your next invoices.`;
}

/** Where a change lands: the dashboard, told what was asked so it can say whether Stripe confirmed it yet. */
export function dashboardUrlAfterChange(baseUrl: string, change: SubscriptionChange): string {
  const query = new URLSearchParams({ changed: change.kind, ...(change.kind === 'switch_price' ? { price: change.priceId } : {}) });
  return `${baseUrl}/dashboard?${query}`;
}
