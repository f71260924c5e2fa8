import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { processStripeEvent } from '../billing/webhook/process-stripe-event';
import { featuresFor } from '../billing/plans';
import { getPrisma } from '../db/client';
import { billingOf } from './simulate-checkout';
import { renewalEvents, subscriptionChangeEvents } from './simulate-subscription-change';
import { buildTestEvent, freshTestEventIds } from './test-events';

const MONTHLY = 'price_1PgafmB7WZ01zgkW6dKueIc5';
const ANNUAL = 'price_1PgagYB7WZ01zgkWq8YrLy20';
const DAY = 86_400;

async function apply(bodies: string[]) {
  for (const payload of bodies) {
    expect(await processStripeEvent({ event: JSON.parse(payload) as Stripe.Event, payload })).toMatchObject({ status: 'processed' });
  }
}

const rowOf = (subscriptionId: string) => getPrisma().userSubscription.findUniqueOrThrow({ where: { stripeSubscriptionId: subscriptionId } });

/** A Pro Monthly subscription, active since `start`, as the checkout simulator leaves it. */
async function monthlySubscription(start: number, status = 'active') {
  const ids = freshTestEventIds(`user_${Math.random().toString(36).slice(2)}`);
  const period = { start, end: start + 30 * DAY };
  const trial = status === 'trialing' ? period : undefined;
  await apply([buildTestEvent('customer.subscription.created', { ids, created: start, price: billingOf(MONTHLY), period, trial, status })]);
  return ids;
}

describe('the simulator answers subscription changes with the events Stripe sends, and the webhook applies them', () => {
  it('switches Pro Monthly to Pro Annual on the same subscription: a new yearly period from the switch', async () => {
    const start = Math.floor(Date.now() / 1000) - 10 * DAY;
    const ids = await monthlySubscription(start);
    const now = start + 10 * DAY;
    const bodies = subscriptionChangeEvents(await rowOf(ids.subscriptionId), { kind: 'switch_price', priceId: ANNUAL }, now);
    expect(bodies.map((body) => JSON.parse(body).type)).toEqual(['customer.subscription.updated', 'invoice.payment_succeeded']);
    const invoice = JSON.parse(bodies[1]!).data.object;
    expect(invoice).toMatchObject({ amount_paid: 20_000 - 1_333, billing_reason: 'subscription_update', period_end: now + 365 * DAY });
    expect(JSON.parse(bodies[0]!).data.previous_attributes.items.data[0].price.id).toBe(MONTHLY);
    await apply(bodies);

    const rows = await getPrisma().userSubscription.findMany({ where: { userId: ids.userId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      stripeSubscriptionId: ids.subscriptionId, stripePriceId: ANNUAL, billingPeriod: 'annual', status: 'active', isActive: true,
      currentPeriodEnd: new Date((now + 365 * DAY) * 1000),
    });
  });

  it('switches Pro Annual back to Pro Monthly: the period restarts, so its end comes earlier', async () => {
    const start = Math.floor(Date.now() / 1000) - 10 * DAY;
    const ids = freshTestEventIds(`user_${Math.random().toString(36).slice(2)}`);
    await apply([buildTestEvent('customer.subscription.created', { ids, created: start, price: billingOf(ANNUAL), period: { start, end: start + 365 * DAY } })]);
    const now = start + 10 * DAY;
    const bodies = subscriptionChangeEvents(await rowOf(ids.subscriptionId), { kind: 'switch_price', priceId: MONTHLY }, now);
    expect(JSON.parse(bodies[1]!).data.object.amount_paid).toBe(0); // the unused annual time more than covers a month
    await apply(bodies);
    expect(await rowOf(ids.subscriptionId)).toMatchObject({ stripePriceId: MONTHLY, billingPeriod: 'monthly', currentPeriodEnd: new Date((now + 30 * DAY) * 1000) });
  });

  it('cancels at period end and resumes, keeping the period', async () => {
    const start = Math.floor(Date.now() / 1000) - 5 * DAY;
    const ids = await monthlySubscription(start);
    await apply(subscriptionChangeEvents(await rowOf(ids.subscriptionId), { kind: 'cancel_at_period_end' }));
    const canceling = await rowOf(ids.subscriptionId);
    expect(canceling).toMatchObject({ cancelAtPeriodEnd: true, status: 'active', isActive: true, currentPeriodEnd: new Date((start + 30 * DAY) * 1000) });

    const [resume] = subscriptionChangeEvents(canceling, { kind: 'resume' });
    expect(JSON.parse(resume!).data).toMatchObject({ object: { cancel_at_period_end: false, cancel_at: null }, previous_attributes: { cancel_at_period_end: true, cancel_at: start + 30 * DAY } });
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
    const bodies = subscriptionChangeEvents(await rowOf(ids.subscriptionId), { kind: 'switch_price', priceId: ANNUAL });
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0]!).data.object).toMatchObject({ status: 'trialing', trial_end: start + 30 * DAY });
    await apply(bodies);
    expect(await rowOf(ids.subscriptionId)).toMatchObject({ status: 'trialing', billingPeriod: 'annual', currentPeriodEnd: new Date((start + 30 * DAY) * 1000) });
  });
});
