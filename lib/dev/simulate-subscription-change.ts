import type { SubscriptionChange } from '../billing/change-subscription';
import { findPrice, PRICES } from '../billing/plans';
import type { UserSubscription } from '../db/generated/client';
import { billingOf, postSignedEventWithRetries } from './simulate-checkout';
import { buildTestEvent, type TestEventIds, type TestPeriod } from './test-events';

const DAY_SECONDS = 86_400;

/** The subscription fields the simulator rebuilds Stripe's full subscription object from. */
export type SimulatedSubscription = Pick<UserSubscription,
  'stripeSubscriptionId' | 'stripeCustomerId' | 'userId' | 'stripePriceId' | 'billingPeriod' | 'status' | 'currentPeriodEnd' | 'cancelAtPeriodEnd' | 'lastEventAt'>;

/** Offline, what Stripe would do on its side: a renewal whose card is declined, or the card fixed and the invoice paid. */
export type SimulatedRenewal = 'renewal_failed' | 'payment_recovered';

const intervalSeconds = (interval: 'month' | 'year') => (interval === 'year' ? 365 : 30) * DAY_SECONDS;

/** The stored subscription as Stripe holds it: ids, price, current period, status and cancel flag. */
function stripeStateOf(subscription: SimulatedSubscription, now: number) {
  const ids: TestEventIds = { subscriptionId: subscription.stripeSubscriptionId, customerId: subscription.stripeCustomerId ?? '', userId: subscription.userId ?? '' };
  const price = findPrice(subscription.stripePriceId) ?? PRICES.find((candidate) => candidate.billingPeriod === subscription.billingPeriod) ?? PRICES[0];
  if (!price) throw new Error('No prices configured');
  const billing = billingOf(price.id);
  const end = subscription.currentPeriodEnd ? Math.floor(subscription.currentPeriodEnd.getTime() / 1000) : now + intervalSeconds(billing.interval);
  const period: TestPeriod = { start: end - intervalSeconds(billing.interval), end };
  const trial = subscription.status === 'trialing' ? period : undefined;
  // Stripe's later event is never older than the last one applied; a strictly later second keeps
  // the simulator's events out of the same-second tie-break.
  const lastApplied = subscription.lastEventAt ? Math.floor(subscription.lastEventAt.getTime() / 1000) : 0;
  return { ids, billing, period, trial, created: Math.max(now, lastApplied + 1) };
}

/**
 * The events Stripe sends when a subscription is changed through its API: `customer.subscription.updated`
 * with the whole new object and `previous_attributes`, and for a price switch outside a trial the
 * invoice of the new period, paid at once (a new interval restarts the billing period).
 */
export function subscriptionChangeEvents(subscription: SimulatedSubscription, change: SubscriptionChange, now = Math.floor(Date.now() / 1000)): string[] {
  const { ids, billing, period, trial, created } = stripeStateOf(subscription, now);
  const status = subscription.status;
  if (change.kind === 'cancel_at_period_end' || change.kind === 'resume') {
    const cancel = change.kind === 'cancel_at_period_end';
    const previousAttributes = cancel
      ? { cancel_at: null, cancel_at_period_end: false, canceled_at: null }
      : { cancel_at: period.end, cancel_at_period_end: true, canceled_at: created - 1 };
    return [buildTestEvent('customer.subscription.updated', { ids, created, status, price: billing, period, trial, cancelAtPeriodEnd: cancel, previousAttributes })];
  }
  const target = billingOf(change.priceId);
  const oldItems = (JSON.parse(buildTestEvent('customer.subscription.updated', { ids, created, status, price: billing, period, trial })) as { data: { object: { items: unknown } } }).data.object.items;
  if (trial) {
    // The trial continues: same period, nothing invoiced until it ends.
    return [buildTestEvent('customer.subscription.updated', { ids, created, status, price: target, period, trial, cancelAtPeriodEnd: subscription.cancelAtPeriodEnd, previousAttributes: { items: oldItems } })];
  }
  const newPeriod = { start: created, end: created + intervalSeconds(target.interval) };
  const unusedCredit = Math.round((billing.amountCents * Math.max(0, period.end - created)) / intervalSeconds(billing.interval));
  return [
    buildTestEvent('customer.subscription.updated', {
      ids, created, status, price: target, period: newPeriod, cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
      previousAttributes: { billing_cycle_anchor: period.start, items: oldItems },
    }),
    buildTestEvent('invoice.payment_succeeded', { ids, created, period: newPeriod, amountCents: Math.max(0, target.amountCents - unusedCredit), billingReason: 'subscription_update' }),
  ];
}

/**
 * A renewal whose card is declined (`invoice.payment_failed`, then the subscription `past_due`), or
 * the recovery after the card is updated (`invoice.payment_succeeded`, then `active` again).
 */
export function renewalEvents(subscription: SimulatedSubscription, renewal: SimulatedRenewal, now = Math.floor(Date.now() / 1000)): string[] {
  const { ids, billing, period, created } = stripeStateOf(subscription, now);
  const common = { ids, created, period, amountCents: billing.amountCents, billingReason: 'subscription_cycle' };
  const cancelAtPeriodEnd = subscription.cancelAtPeriodEnd;
  if (renewal === 'renewal_failed') {
    return [
      buildTestEvent('invoice.payment_failed', common),
      buildTestEvent('customer.subscription.updated', { ids, created, status: 'past_due', price: billing, period, cancelAtPeriodEnd, previousAttributes: { status: subscription.status } }),
    ];
  }
  return [
    buildTestEvent('invoice.payment_succeeded', common),
    buildTestEvent('customer.subscription.updated', { ids, created, status: 'active', price: billing, period, cancelAtPeriodEnd, previousAttributes: { status: 'past_due' } }),
  ];
}

/** Posts the events one after another, in Stripe's order; true when the app accepted them all. */
export async function deliverInOrder(baseUrl: string, bodies: string[]): Promise<boolean> {
  for (const body of bodies) {
    if ((await postSignedEventWithRetries(baseUrl, body)) !== 200) return false;
  }
  return true;
}
