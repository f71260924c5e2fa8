import { Prisma } from '../../../db/generated/client';
import type { InvoiceFields } from '../event-fields';

/** The invoice's subscription: under `parent` from API version basil on, at the top level before. */
export function subscriptionOfInvoice(invoice: InvoiceFields): string | null {
  const details = invoice.parent?.type === 'subscription_details' ? invoice.parent.subscription_details : null;
  return details?.subscription ?? invoice.subscription ?? null;
}

/** The latest period end among the invoice lines that bill this subscription, or null. */
export function periodEndOfInvoice(invoice: InvoiceFields, subscriptionId: string): number | null {
  const ends = invoice.lines.data
    .filter((line) => (line.parent?.subscription_item_details?.subscription ?? line.subscription ?? subscriptionId) === subscriptionId)
    .map((line) => line.period.end);
  return ends.length > 0 ? Math.max(...ends) : null;
}

/** A text expression for the invoice's user: the subscription's metadata, its row, else the customer's user. */
export function userOfInvoice(invoice: InvoiceFields): Prisma.Sql {
  const metadataUserId = (invoice.parent?.subscription_details ?? invoice.subscription_details)?.metadata?.user_id || null;
  return Prisma.sql`COALESCE(
    ${metadataUserId}::text,
    (SELECT user_id FROM user_subscriptions WHERE stripe_subscription_id = ${subscriptionOfInvoice(invoice)}::text),
    (SELECT id FROM users WHERE stripe_customer_id = ${invoice.customer}::text))`;
}
