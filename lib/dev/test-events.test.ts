import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { buildTestEvent, freshTestEventIds, signTestEvent, TEMPLATE_EVENT_TYPES } from './test-events';
import { verifyStripeSignature } from '../billing/webhook/verify-stripe-signature';

describe('test events', () => {
  it('builds each template with fresh ids and the given customer, subscription and user', () => {
    const ids = freshTestEventIds('user_42');
    for (const type of TEMPLATE_EVENT_TYPES) {
      const body = buildTestEvent(type, { ids, created: 1_900_000_000 });
      const event = JSON.parse(body) as { id: string; type: string; created: number; api_version: string };
      expect(event).toMatchObject({ type, created: 1_900_000_000, api_version: Stripe.API_VERSION });
      expect(event.id).toMatch(/^evt_\w{14}$/);
      expect(body).not.toContain('user_demo_1');
      expect(body).not.toContain('cus_QXg1o8vcGmoR32');
      expect(body).toContain(ids.customerId);
    }
    expect(buildTestEvent('customer.subscription.created', { ids })).toContain('user_42');
    expect(JSON.parse(buildTestEvent('customer.subscription.updated', { ids, status: 'past_due' })).data.object.status).toBe('past_due');
  });

  it('sets the period, cancel flag, trial and previous attributes of a subscription, and the period and amount of an invoice', () => {
    const ids = freshTestEventIds();
    const period = { start: 1_900_000_000, end: 1_902_592_000 };
    const updated = JSON.parse(
      buildTestEvent('customer.subscription.updated', {
        ids,
        created: 1_900_000_100,
        period,
        cancelAtPeriodEnd: true,
        previousAttributes: { cancel_at_period_end: false },
      }),
    );
    expect(updated.data.previous_attributes).toEqual({ cancel_at_period_end: false });
    expect(updated.data.object).toMatchObject({
      cancel_at_period_end: true,
      cancel_at: 1_902_592_000,
      canceled_at: 1_900_000_100,
      billing_cycle_anchor: 1_900_000_000,
    });
    expect(updated.data.object.items.data[0]).toMatchObject({ current_period_start: 1_900_000_000, current_period_end: 1_902_592_000 });
    const trialing = JSON.parse(buildTestEvent('customer.subscription.created', { ids, trial: period, status: 'trialing' })).data.object;
    expect(trialing).toMatchObject({
      status: 'trialing',
      trial_start: 1_900_000_000,
      trial_end: 1_902_592_000,
      billing_cycle_anchor: 1_902_592_000,
    });
    const invoice = JSON.parse(
      buildTestEvent('invoice.payment_failed', { ids, period, amountCents: 20_000, billingReason: 'subscription_cycle' }),
    ).data.object;
    expect(invoice).toMatchObject({
      amount_due: 20_000,
      amount_paid: 0,
      amount_remaining: 20_000,
      period_end: 1_902_592_000,
      billing_reason: 'subscription_cycle',
    });
    expect(invoice.lines.data[0].period).toEqual({ start: 1_900_000_000, end: 1_902_592_000 });
  });

  it('builds a minimal event for types without a template, and signs what the webhook verifies', () => {
    const body = buildTestEvent('payment_intent.succeeded', { ids: freshTestEventIds() });
    expect(JSON.parse(body)).toMatchObject({ object: 'event', type: 'payment_intent.succeeded', livemode: false });
    const event = verifyStripeSignature({
      rawBody: Buffer.from(body),
      header: signTestEvent(body, 'whsec_x'),
      secrets: ['whsec_x'],
      toleranceSeconds: 300,
    });
    expect(event.type).toBe('payment_intent.succeeded');
  });
});
