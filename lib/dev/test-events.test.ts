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

  it('builds a minimal event for types without a template, and signs what the webhook verifies', () => {
    const body = buildTestEvent('payment_intent.succeeded', { ids: freshTestEventIds() });
    expect(JSON.parse(body)).toMatchObject({ object: 'event', type: 'payment_intent.succeeded', livemode: false });
    const event = verifyStripeSignature({ rawBody: Buffer.from(body), header: signTestEvent(body, 'whsec_x'), secrets: ['whsec_x'], toleranceSeconds: 300 });
    expect(event.type).toBe('payment_intent.succeeded');
  });
});
