import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { processStripeEvent } from '../billing/webhook/process-stripe-event';
import { featuresFor } from '../billing/plans';
import { getPrisma } from '../db/client';
import { findCatalogPrice, type CatalogPrice } from '../billing/catalog';
import { changeDirection, positionOf, type SubscriptionChange } from '../billing/change-subscription';
import { billingOf } from './simulate-checkout';
import {
  advanceClockEvents,
  paymentActionEvents,
  paymentConfirmedEvents,
  renewalEvents,
  subscriptionChangeEvents,
  type SimulatedSubscription,
} from './simulate-subscription-change';
import { buildTestEvent, freshTestEventIds } from './test-events';

const price = (lookupKey: string): CatalogPrice => {
  const found = findCatalogPrice(lookupKey);
  if (!found) throw new Error(`no ${lookupKey}`);
  return found;
};
const MONTHLY = 'price_sim_pro_monthly';
const ANNUAL = 'price_sim_pro_annual';
const DAY = 86_400;

/** The change the app prepares (prepareSubscriptionChange), without its database checks. */
function prepared(subscription: SimulatedSubscription & { quantity: number | null }, change: SubscriptionChange) {
  if (change.kind !== 'switch_price') return { change };
  const current = positionOf(subscription);
  const target = { price: price(change.lookupKey), seats: change.seats ?? price(change.lookupKey).seats?.min ?? 1 };
  const direction = current ? changeDirection(current, target) : 'upgrade';
  return { change, target: { ...target, direction: direction === 'downgrade' ? ('downgrade' as const) : ('upgrade' as const) } };
}
const switchTo = (lookupKey: string, seats: number | null = null): SubscriptionChange => ({ kind: 'switch_price', lookupKey, seats });

async function apply(bodies: string[]) {
  for (const payload of bodies) {
    expect(await processStripeEvent({ event: JSON.parse(payload) as Stripe.Event, payload })).toMatchObject({ status: 'processed' });
  }
}

const rowOf = (subscriptionId: string) =>
  getPrisma().userSubscription.findUniqueOrThrow({ where: { stripeSubscriptionId: subscriptionId } });

/** A Pro Monthly subscription, active since `start`, as the checkout simulator leaves it. */
async function monthlySubscription(start: number, status = 'active') {
  const ids = freshTestEventIds(`user_${Math.random().toString(36).slice(2)}`);
  const period = { start, end: start + 30 * DAY };
  const trial = status === 'trialing' ? period : undefined;
  await apply([
    buildTestEvent('customer.subscription.created', { ids, created: start, price: billingOf(price('pro_monthly')), period, trial, status }),
  ]);
  return ids;
}

describe('the simulator answers subscription changes with the events Stripe sends, and the webhook applies them', () => {
  it('switches Pro Monthly to Pro Annual on the same subscription: a new yearly period from the switch', async () => {
    const start = Math.floor(Date.now() / 1000) - 10 * DAY;
    const ids = await monthlySubscription(start);
    const now = start + 10 * DAY;
    const row = await rowOf(ids.subscriptionId);
    const bodies = subscriptionChangeEvents(row, prepared(row, switchTo('pro_annual')), now);
    expect(bodies.map((body) => JSON.parse(body).type)).toEqual(['customer.subscription.updated', 'invoice.payment_succeeded']);
    const invoice = JSON.parse(bodies[1]!).data.object;
    expect(invoice).toMatchObject({ amount_paid: 20_000 - 1_333, billing_reason: 'subscription_update', period_end: now + 365 * DAY });
    expect(JSON.parse(bodies[0]!).data.previous_attributes.items.data[0].price.id).toBe(MONTHLY);
    await apply(bodies);

    const rows = await getPrisma().userSubscription.findMany({ where: { userId: ids.userId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      stripeSubscriptionId: ids.subscriptionId,
      stripePriceId: ANNUAL,
      billingPeriod: 'annual',
      status: 'active',
      isActive: true,
      currentPeriodEnd: new Date((now + 365 * DAY) * 1000),
    });
  });

  it('schedules Pro Annual to Pro Monthly for the period end; the clock reaching it makes the change', async () => {
    const start = Math.floor(Date.now() / 1000) - 10 * DAY;
    const ids = freshTestEventIds(`user_${Math.random().toString(36).slice(2)}`);
    await apply([
      buildTestEvent('customer.subscription.created', {
        ids,
        created: start,
        price: billingOf(price('pro_annual')),
        period: { start, end: start + 365 * DAY },
      }),
    ]);
    const now = start + 10 * DAY;
    const row = await rowOf(ids.subscriptionId);
    const bodies = subscriptionChangeEvents(row, prepared(row, switchTo('pro_monthly')), now);
    expect(bodies.map((body) => JSON.parse(body).type)).toEqual(['subscription_schedule.created', 'customer.subscription.updated']);
    await apply(bodies);
    const scheduled = await rowOf(ids.subscriptionId);
    expect(scheduled).toMatchObject({
      stripePriceId: ANNUAL,
      billingPeriod: 'annual',
      pendingPlan: 'pro',
      pendingBillingPeriod: 'monthly',
      pendingQuantity: 1,
      pendingChangeAt: new Date((start + 365 * DAY) * 1000),
    });
    expect(scheduled.stripeScheduleId).toMatch(/^sub_sched_/);

    await apply(advanceClockEvents(scheduled, now + DAY));
    expect(await rowOf(ids.subscriptionId)).toMatchObject({
      stripePriceId: MONTHLY,
      billingPeriod: 'monthly',
      pendingPlan: null,
      currentPeriodEnd: new Date((start + 395 * DAY) * 1000),
    });
  });

  it('undoes a scheduled downgrade: the schedule is released and nothing is pending', async () => {
    const start = Math.floor(Date.now() / 1000) - 10 * DAY;
    const ids = freshTestEventIds(`user_${Math.random().toString(36).slice(2)}`);
    await apply([
      buildTestEvent('customer.subscription.created', {
        ids,
        created: start,
        price: billingOf(price('team_monthly'), 6),
        period: { start, end: start + 30 * DAY },
      }),
    ]);
    const row = await rowOf(ids.subscriptionId);
    expect(row).toMatchObject({ plan: 'team', quantity: 6 });
    await apply(subscriptionChangeEvents(row, prepared(row, switchTo('team_monthly', 3))));
    const scheduled = await rowOf(ids.subscriptionId);
    expect(scheduled).toMatchObject({ quantity: 6, pendingPlan: 'team', pendingQuantity: 3 });
    await apply(subscriptionChangeEvents(scheduled, { change: { kind: 'undo_pending_change' } }));
    expect(await rowOf(ids.subscriptionId)).toMatchObject({
      quantity: 6,
      stripeScheduleId: null,
      pendingPlan: null,
      pendingQuantity: null,
    });
  });

  it('upgrades Pro to Team with seats at once, on the same period, charging the difference', async () => {
    const start = Math.floor(Date.now() / 1000) - 15 * DAY;
    const ids = await monthlySubscription(start);
    const row = await rowOf(ids.subscriptionId);
    const bodies = subscriptionChangeEvents(row, prepared(row, switchTo('team_monthly', 4)), start + 15 * DAY);
    expect(JSON.parse(bodies[1]!).data.object.amount_paid).toBe(Math.round(((6_000 - 2_000) * 15) / 30));
    await apply(bodies);
    expect(await rowOf(ids.subscriptionId)).toMatchObject({
      plan: 'team',
      quantity: 4,
      billingPeriod: 'monthly',
      currentPeriodEnd: new Date((start + 30 * DAY) * 1000),
    });
  });

  it('asks the customer to confirm a payment, and the confirmation clears it', async () => {
    const ids = await monthlySubscription(Math.floor(Date.now() / 1000) - 5 * DAY);
    await apply(paymentActionEvents(await rowOf(ids.subscriptionId), (invoice) => `http://app.test/simulator/invoice?invoice=${invoice}`));
    const asked = await rowOf(ids.subscriptionId);
    expect(asked.paymentActionUrl).toBe(`http://app.test/simulator/invoice?invoice=${asked.paymentActionInvoiceId}`);
    await apply(paymentConfirmedEvents(asked, asked.paymentActionInvoiceId ?? ''));
    expect(await rowOf(ids.subscriptionId)).toMatchObject({ paymentActionUrl: null, paymentActionInvoiceId: null });
  });

  it('ends a trial when the clock reaches its end, and ends a subscription set to cancel', async () => {
    const start = Math.floor(Date.now() / 1000) - DAY;
    const ids = await monthlySubscription(start, 'trialing');
    await apply(advanceClockEvents(await rowOf(ids.subscriptionId)));
    expect(await rowOf(ids.subscriptionId)).toMatchObject({ status: 'active', currentPeriodEnd: new Date((start + 60 * DAY) * 1000) });
    await apply(subscriptionChangeEvents(await rowOf(ids.subscriptionId), { change: { kind: 'cancel_at_period_end' } }));
    await apply(advanceClockEvents(await rowOf(ids.subscriptionId)));
    expect(await rowOf(ids.subscriptionId)).toMatchObject({ status: 'canceled', isActive: false });
  });

  it('cancels at period end and resumes, keeping the period', async () => {
    const start = Math.floor(Date.now() / 1000) - 5 * DAY;
    const ids = await monthlySubscription(start);
    await apply(subscriptionChangeEvents(await rowOf(ids.subscriptionId), { change: { kind: 'cancel_at_period_end' } }));
    const canceling = await rowOf(ids.subscriptionId);
    expect(canceling).toMatchObject({
      cancelAtPeriodEnd: true,
      status: 'active',
      isActive: true,
      currentPeriodEnd: new Date((start + 30 * DAY) * 1000),
    });

    const [resume] = subscriptionChangeEvents(canceling, { change: { kind: 'resume' } });
    expect(JSON.parse(resume!).data).toMatchObject({
      object: { cancel_at_period_end: false, cancel_at: null },
      previous_attributes: { cancel_at_period_end: true, cancel_at: start + 30 * DAY },
    });
    await apply([resume!]);
    expect(await rowOf(ids.subscriptionId)).toMatchObject({ cancelAtPeriodEnd: false, status: 'active' });
  });

  it('declines a renewal (past_due, Pro kept while Stripe retries) and recovers', async () => {
    const ids = await monthlySubscription(Math.floor(Date.now() / 1000) - 30 * DAY);
    const failed = renewalEvents(await rowOf(ids.subscriptionId), 'renewal_failed');
    expect(failed.map((body) => JSON.parse(body).type)).toEqual(['invoice.payment_failed', 'customer.subscription.updated']);
    await apply(failed);
    const pastDue = await rowOf(ids.subscriptionId);
    expect(pastDue).toMatchObject({ status: 'past_due', isActive: true });
    const failedAt = JSON.parse(failed[1]!).created as number;
    expect(pastDue.pastDueSince).toEqual(new Date(failedAt * 1000));
    expect(featuresFor(pastDue, { graceDays: undefined }).plan).toBe('pro');
    expect(featuresFor(pastDue, { now: new Date((failedAt + 2 * DAY) * 1000), graceDays: 3 }).plan).toBe('pro');
    expect(featuresFor(pastDue, { now: new Date((failedAt + 3 * DAY) * 1000), graceDays: 3 }).plan).toBe('free');

    await apply(renewalEvents(pastDue, 'payment_recovered'));
    expect(await rowOf(ids.subscriptionId)).toMatchObject({ status: 'active', isActive: true, pastDueSince: null });
  });

  it('keeps the trial and its end when a trialing customer switches price', async () => {
    const start = Math.floor(Date.now() / 1000) - DAY;
    const ids = await monthlySubscription(start, 'trialing');
    const row = await rowOf(ids.subscriptionId);
    const bodies = subscriptionChangeEvents(row, prepared(row, switchTo('pro_annual')));
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0]!).data.object).toMatchObject({ status: 'trialing', trial_end: start + 30 * DAY });
    await apply(bodies);
    expect(await rowOf(ids.subscriptionId)).toMatchObject({
      status: 'trialing',
      billingPeriod: 'annual',
      currentPeriodEnd: new Date((start + 30 * DAY) * 1000),
    });
  });
});
