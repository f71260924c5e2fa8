import type { PreparedSubscriptionChange } from '../billing/change-subscription';
import { CATALOG_PRICES, catalogPriceOf, type CatalogPrice } from '../billing/catalog';
import type { UserSubscription } from '../db/generated/client';
import { billingOf, postSignedEventWithRetries, totalCents } from './simulate-checkout';
import { buildScheduleEvent, buildTestEvent, stripeLikeId, type TestEventIds, type TestPeriod, type TestPrice } from './test-events';

const DAY_SECONDS = 86_400;

/** The subscription fields the simulator rebuilds Stripe's full subscription object from. */
export type SimulatedSubscription = Pick<
  UserSubscription,
  | 'stripeSubscriptionId'
  | 'stripeCustomerId'
  | 'userId'
  | 'stripePriceId'
  | 'plan'
  | 'billingPeriod'
  | 'quantity'
  | 'status'
  | 'currentPeriodEnd'
  | 'cancelAtPeriodEnd'
  | 'cancelAt'
  | 'trialEnd'
  | 'lastEventAt'
  | 'stripeScheduleId'
  | 'pendingPlan'
  | 'pendingBillingPeriod'
  | 'pendingQuantity'
  | 'pendingChangeAt'
  | 'scheduleEventAt'
>;

/** Offline, what Stripe would do on its side: a renewal whose card is declined, or the card fixed and the invoice paid. */
export type SimulatedRenewal = 'renewal_failed' | 'payment_recovered';

const intervalSeconds = (interval: 'month' | 'year') => (interval === 'year' ? 365 : 30) * DAY_SECONDS;
const seconds = (date: Date | null | undefined) => (date ? Math.floor(date.getTime() / 1000) : null);

/** The catalog price a stored row bills (the first of its billing period for a price outside the catalog). */
function catalogPriceOfRow(subscription: SimulatedSubscription): CatalogPrice {
  const price =
    catalogPriceOf(subscription.plan, subscription.billingPeriod) ??
    CATALOG_PRICES.find((candidate) => candidate.billingPeriod === subscription.billingPeriod) ??
    CATALOG_PRICES[0];
  if (!price) throw new Error('The catalog has no prices');
  return price;
}

/** The stored subscription as Stripe holds it: ids, price and seats, current period, status and cancel flag. */
function stripeStateOf(subscription: SimulatedSubscription, now: number) {
  const ids: TestEventIds = {
    subscriptionId: subscription.stripeSubscriptionId,
    customerId: subscription.stripeCustomerId ?? '',
    userId: subscription.userId ?? '',
  };
  const billing = billingOf(catalogPriceOfRow(subscription), subscription.quantity);
  const end = seconds(subscription.currentPeriodEnd) ?? now + intervalSeconds(billing.interval);
  const period: TestPeriod = { start: end - intervalSeconds(billing.interval), end };
  const trial = subscription.status === 'trialing' ? { start: period.start, end: seconds(subscription.trialEnd) ?? end } : undefined;
  // Stripe's later event is never older than the last one applied; a strictly later second keeps
  // the simulator's events out of the same-second tie-break.
  const lastApplied = Math.max(seconds(subscription.lastEventAt) ?? 0, seconds(subscription.scheduleEventAt) ?? 0);
  return { ids, billing, period, trial, created: Math.max(now, lastApplied + 1) };
}

/** The subscription's state as every subscription event of the simulator repeats it. */
function subscriptionState(subscription: SimulatedSubscription) {
  return {
    cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
    cancelAt: seconds(subscription.cancelAt),
    schedule: subscription.stripeScheduleId,
  };
}

/**
 * The events Stripe sends when a subscription is changed through its API: `customer.subscription.updated`
 * with the whole new object and `previous_attributes`; for an upgrade outside a trial the invoice of
 * the proration, paid at once; for a downgrade the schedule (`subscription_schedule.created`) whose
 * next phase starts at the period end; for an undo the schedule released.
 */
export function subscriptionChangeEvents(
  subscription: SimulatedSubscription,
  { change, target }: Pick<PreparedSubscriptionChange, 'change' | 'target'>,
  now = Math.floor(Date.now() / 1000),
): string[] {
  const { ids, billing, period, trial, created } = stripeStateOf(subscription, now);
  const status = subscription.status;
  const state = subscriptionState(subscription);
  if (change.kind === 'cancel_at_period_end' || change.kind === 'resume') {
    const cancel = change.kind === 'cancel_at_period_end';
    const previousAttributes = cancel
      ? { cancel_at: null, cancel_at_period_end: false, canceled_at: null }
      : { cancel_at: state.cancelAt ?? period.end, cancel_at_period_end: subscription.cancelAtPeriodEnd, canceled_at: created - 1 };
    return [
      buildTestEvent('customer.subscription.updated', {
        ids,
        created,
        status,
        price: billing,
        period,
        trial,
        ...state,
        cancelAtPeriodEnd: cancel,
        cancelAt: cancel ? period.end : null,
        previousAttributes,
      }),
    ];
  }
  const released = subscription.stripeScheduleId
    ? [
        buildScheduleEvent('subscription_schedule.released', {
          ids,
          scheduleId: subscription.stripeScheduleId,
          status: 'released',
          phases: [{ start: period.start, end: period.end, price: billing }],
          currentPhase: null,
          created,
        }),
      ]
    : [];
  if (change.kind === 'undo_pending_change') {
    return [
      ...released,
      buildTestEvent('customer.subscription.updated', {
        ids,
        created,
        status,
        price: billing,
        period,
        trial,
        ...state,
        schedule: null,
        previousAttributes: { schedule: subscription.stripeScheduleId },
      }),
    ];
  }
  if (!target) return [];
  const next = billingOf(target.price, target.seats);
  if (target.direction === 'downgrade') {
    const scheduleId = subscription.stripeScheduleId ?? stripeLikeId('sub_sched');
    const phases = [
      { start: period.start, end: period.end, price: billing },
      { start: period.end, end: period.end + intervalSeconds(next.interval), price: next },
    ];
    return [
      buildScheduleEvent(subscription.stripeScheduleId ? 'subscription_schedule.updated' : 'subscription_schedule.created', {
        ids,
        scheduleId,
        status: 'active',
        phases,
        currentPhase: 0,
        created,
      }),
      buildTestEvent('customer.subscription.updated', {
        ids,
        created,
        status,
        price: billing,
        period,
        trial,
        ...state,
        schedule: scheduleId,
        previousAttributes: { schedule: subscription.stripeScheduleId },
      }),
    ];
  }
  const oldItems = (
    JSON.parse(buildTestEvent('customer.subscription.updated', { ids, created, status, price: billing, period, trial })) as {
      data: { object: { items: unknown } };
    }
  ).data.object.items;
  const upgraded = { ...state, schedule: null };
  if (trial) {
    // The trial continues: same period, nothing invoiced until it ends.
    return [
      ...released,
      buildTestEvent('customer.subscription.updated', {
        ids,
        created,
        status,
        price: next,
        period,
        trial,
        ...upgraded,
        previousAttributes: { items: oldItems },
      }),
    ];
  }
  // A new interval restarts the period; the same interval keeps it and charges the difference for the rest of it.
  const newPeriod = next.interval === billing.interval ? period : { start: created, end: created + intervalSeconds(next.interval) };
  const unusedCredit = Math.round((totalCents(billing) * Math.max(0, period.end - created)) / intervalSeconds(billing.interval));
  const charge =
    next.interval === billing.interval
      ? Math.round(((totalCents(next) - totalCents(billing)) * Math.max(0, period.end - created)) / intervalSeconds(billing.interval))
      : totalCents(next) - unusedCredit;
  return [
    ...released,
    buildTestEvent('customer.subscription.updated', {
      ids,
      created,
      status,
      price: next,
      period: newPeriod,
      ...upgraded,
      previousAttributes: { billing_cycle_anchor: period.start, items: oldItems },
    }),
    buildTestEvent('invoice.payment_succeeded', {
      ids,
      created,
      period: newPeriod,
      amountCents: Math.max(0, charge),
      billingReason: 'subscription_update',
    }),
  ];
}

/**
 * Stripe's clock moves to the end of the current period (a test clock): a trial ends, a pending
 * change takes effect (the schedule's next phase starts), a subscription set to cancel ends, or the
 * subscription renews. The events Stripe sends then, in order.
 */
export function advanceClockEvents(subscription: SimulatedSubscription, now = Math.floor(Date.now() / 1000)): string[] {
  const { ids, billing, period, created: earliest } = stripeStateOf(subscription, now);
  const state = subscriptionState(subscription);
  const boundary = Math.min(period.end, state.cancelAt ?? period.end);
  const created = Math.max(earliest, boundary);
  if (subscription.cancelAtPeriodEnd || state.cancelAt !== null) {
    return [buildTestEvent('customer.subscription.deleted', { ids, created, status: 'canceled', price: billing, period, ...state })];
  }
  const pending = subscription.stripeScheduleId ? catalogPriceOf(subscription.pendingPlan, subscription.pendingBillingPeriod) : undefined;
  const next: TestPrice = pending ? billingOf(pending, subscription.pendingQuantity) : billing;
  const newPeriod = { start: period.end, end: period.end + intervalSeconds(next.interval) };
  const events: string[] = [];
  if (pending && subscription.stripeScheduleId) {
    const phases = [
      { start: period.start, end: period.end, price: billing },
      { start: period.end, end: newPeriod.end, price: next },
    ];
    events.push(
      buildScheduleEvent('subscription_schedule.updated', {
        ids,
        scheduleId: subscription.stripeScheduleId,
        status: 'active',
        phases,
        currentPhase: 1,
        created,
      }),
    );
  }
  events.push(
    buildTestEvent('invoice.payment_succeeded', {
      ids,
      created,
      period: newPeriod,
      amountCents: totalCents(next),
      billingReason: 'subscription_cycle',
    }),
    buildTestEvent('customer.subscription.updated', {
      ids,
      created,
      status: 'active',
      price: next,
      period: newPeriod,
      ...state,
      previousAttributes: { status: subscription.status, current_period_end: period.end },
    }),
  );
  return events;
}

/**
 * The bank asks the customer to confirm the renewal's payment (3-D Secure): Stripe sends
 * `invoice.payment_action_required` with the invoice's hosted page, where the customer confirms.
 */
export function paymentActionEvents(
  subscription: SimulatedSubscription,
  confirmUrl: (invoiceId: string) => string,
  now = Math.floor(Date.now() / 1000),
): string[] {
  const { ids, billing, period, created } = stripeStateOf(subscription, now);
  const invoiceId = stripeLikeId('in');
  return [
    buildTestEvent('invoice.payment_action_required', {
      ids,
      created,
      period: { start: period.end, end: period.end + intervalSeconds(billing.interval) },
      amountCents: totalCents(billing),
      billingReason: 'subscription_cycle',
      invoiceId,
      hostedInvoiceUrl: confirmUrl(invoiceId),
    }),
  ];
}

/** The customer confirmed on the hosted page: the invoice is paid. */
export function paymentConfirmedEvents(
  subscription: SimulatedSubscription,
  invoiceId: string,
  now = Math.floor(Date.now() / 1000),
): string[] {
  const { ids, billing, period, created } = stripeStateOf(subscription, now);
  return [
    buildTestEvent('invoice.payment_succeeded', {
      ids,
      created,
      period,
      amountCents: totalCents(billing),
      billingReason: 'subscription_cycle',
      invoiceId,
    }),
  ];
}

/**
 * A renewal whose card is declined (`invoice.payment_failed`, then the subscription `past_due`), or
 * the recovery after the card is updated (`invoice.payment_succeeded`, then `active` again).
 */
export function renewalEvents(
  subscription: SimulatedSubscription,
  renewal: SimulatedRenewal,
  now = Math.floor(Date.now() / 1000),
): string[] {
  const { ids, billing, period, created } = stripeStateOf(subscription, now);
  const common = { ids, created, period, amountCents: totalCents(billing), billingReason: 'subscription_cycle' };
  const state = subscriptionState(subscription);
  if (renewal === 'renewal_failed') {
    return [
      buildTestEvent('invoice.payment_failed', common),
      buildTestEvent('customer.subscription.updated', {
        ids,
        created,
        status: 'past_due',
        price: billing,
        period,
        ...state,
        previousAttributes: { status: subscription.status },
      }),
    ];
  }
  return [
    buildTestEvent('invoice.payment_succeeded', common),
    buildTestEvent('customer.subscription.updated', {
      ids,
      created,
      status: 'active',
      price: billing,
      period,
      ...state,
      previousAttributes: { status: 'past_due' },
    }),
  ];
}

/** Posts the events one after another, in Stripe's order; true when the app accepted them all. */
export async function deliverInOrder(baseUrl: string, bodies: string[]): Promise<boolean> {
  for (const body of bodies) {
    if ((await postSignedEventWithRetries(baseUrl, body)) !== 200) return false;
  }
  return true;
}
