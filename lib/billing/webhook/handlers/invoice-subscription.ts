import type { SqlTransaction } from '../../../db/sql-transaction';
import { Prisma } from '../../../db/generated/client';
import type { InvoiceFields } from '../event-fields';

export function subscriptionOfInvoice(invoice: InvoiceFields): string | null {
  return invoice.parent?.type === 'subscription_details' ? invoice.parent.subscription_details?.subscription ?? null : null;
}

/** The invoice's user: the subscription's metadata, else the linked subscription row, else the customer. */
export async function resolveInvoiceUser(tx: SqlTransaction, invoice: InvoiceFields): Promise<string | null> {
  const metadataUserId = invoice.parent?.subscription_details?.metadata?.user_id;
  if (metadataUserId) return metadataUserId;
  const rows = await tx.query<{ user_id: string }>(Prisma.sql`
    SELECT user_id FROM user_subscriptions WHERE stripe_subscription_id = ${subscriptionOfInvoice(invoice)} AND user_id IS NOT NULL
    UNION ALL
    SELECT id FROM users WHERE stripe_customer_id = ${invoice.customer}
    LIMIT 1`);
  return rows[0]?.user_id ?? null;
}
