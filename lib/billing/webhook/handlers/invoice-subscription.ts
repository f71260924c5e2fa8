import { Prisma } from '../../../db/generated/client';
import type { InvoiceFields } from '../event-fields';
import type { BillingPeriod } from '../../subscriptions/billing-period';

/** The invoice's subscription: under `parent` from API version basil on, at the top level before. */
export function subscriptionOfInvoice(invoice: InvoiceFields): string | null {
  const details = invoice.parent?.type === 'subscription_details' ? invoice.parent.subscription_details : null;
  return details?.subscription ?? invoice.subscription ?? null;
}

/**
 * The billing period the invoice pays for this subscription: its latest non-proration line. Proration
 * lines (credit for unused time of the old price) span the old period and say nothing of the new one.
 */
export function periodOfInvoice(invoice: InvoiceFields, subscriptionId: string): BillingPeriod | null {
  const periods = invoice.lines.data
    .filter((line) => (line.parent?.subscription_item_details?.subscription ?? line.subscription ?? subscriptionId) === subscriptionId)
    .filter((line) => !(line.parent?.subscription_item_details?.proration ?? line.proration ?? false))
    .map((line) => line.period)
    .sort((a, b) => b.start - a.start || b.end - a.end);
  return periods[0] ?? null;
}

/** A text expression for the invoice's user: the subscription's metadata, its row, else the customer's user. */
export function userOfInvoice(invoice: InvoiceFields): Prisma.Sql {
  const metadataUserId = (invoice.parent?.subscription_details ?? invoice.subscription_details)?.metadata?.user_id || null;
  return Prisma.sql`COALESCE(
    ${metadataUserId}::text,
    (SELECT user_id FROM user_subscriptions WHERE stripe_subscription_id = ${subscriptionOfInvoice(invoice)}::text),
    (SELECT id FROM users WHERE stripe_customer_id = ${invoice.customer}::text))`;
}
