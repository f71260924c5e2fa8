import type Stripe from 'stripe';
import { expect } from 'vitest';
import { processStripeEvent } from '../../lib/billing/webhook/process-stripe-event';
import { eventBody, type Scenario } from './stripe-events';

// Invoice events with the shapes Stripe sends: several lines, lines of other subscriptions, the
// subscription under `parent` (basil) or at the top level (before basil).

/** An arbitrary second in the fixtures' range: the subscription's event; invoices come 100 s later. */
export const T = 1_796_000_000;

type Line = {
  end: number;
  start?: number;
  subscription?: string | null;
  itemSubscription?: string | null;
  proration?: boolean;
  legacyProration?: boolean;
};
export type InvoiceShape = {
  lines?: Line[];
  /** basil: the subscription and its metadata under `parent`; legacy: at the top level. */
  shape?: 'basil' | 'legacy';
  metadata?: Record<string, string> | null;
  parentType?: string;
  subscription?: string;
};

export function invoiceEvent(
  type: 'invoice.payment_succeeded' | 'invoice.payment_failed',
  scenario: Scenario,
  {
    lines,
    shape = 'basil',
    metadata = { user_id: scenario.userId },
    parentType = 'subscription_details',
    subscription = scenario.subscriptionId,
  }: InvoiceShape = {},
) {
  const event = JSON.parse(eventBody(type, scenario, { created: T + 100 })) as Stripe.Event;
  const invoice = event.data.object as unknown as Record<string, unknown> & { lines: { data: Record<string, unknown>[] } };
  const template = invoice.lines.data[0]!;
  if (lines) {
    invoice.lines.data = lines.map((line) => ({
      ...template,
      period: { start: line.start ?? line.end - 2_592_000, end: line.end },
      subscription: line.subscription === undefined ? subscription : line.subscription,
      ...(line.legacyProration === undefined ? {} : { proration: line.legacyProration }),
      parent:
        line.itemSubscription === null
          ? null
          : {
              type: 'subscription_item_details',
              subscription_item_details: {
                invoice_item: null,
                proration: line.proration ?? false,
                subscription: line.itemSubscription ?? subscription,
                subscription_item: 'si_1',
              },
            },
    }));
  }
  if (shape === 'legacy') {
    invoice.parent = null;
    invoice.subscription = subscription;
    invoice.subscription_details = { metadata };
  } else {
    invoice.parent = { type: parentType, quote_details: null, subscription_details: { subscription, metadata } };
  }
  return { event, payload: JSON.stringify(event) };
}

export async function subscribe(scenario: Scenario, status = 'active', periodEnd = 1_800_000_000) {
  const event = JSON.parse(eventBody('customer.subscription.updated', scenario, { created: T, status })) as Stripe.Event;
  for (const item of (event.data.object as unknown as { items: { data: { current_period_end: number }[] } }).items.data)
    item.current_period_end = periodEnd;
  expect((await processStripeEvent({ event, payload: JSON.stringify(event) })).status).toBe('processed');
}
