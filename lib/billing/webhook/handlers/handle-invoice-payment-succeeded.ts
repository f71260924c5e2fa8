import type Stripe from 'stripe';
import { Prisma } from '../../../db/generated/client';
import { invoiceFields, parseEventObject } from '../event-fields';
import { resolveInvoiceUser, subscriptionOfInvoice } from './invoice-subscription';
import type { HandlerContext, HandlerOutcome } from './types';

/**
 * A renewal was paid: move the period end forward to the end of the subscription's invoice lines.
 * Never backwards, so a late delivery of an older invoice changes nothing.
 */
export async function handleInvoicePaymentSucceeded(event: Stripe.InvoicePaymentSucceededEvent, { tx }: HandlerContext): Promise<HandlerOutcome> {
  const invoice = parseEventObject(invoiceFields, event.type, event.data.object);
  const subscriptionId = subscriptionOfInvoice(invoice);
  const periodEnds = invoice.lines.data
    .filter((line) => {
      const lineSubscription = line.parent?.subscription_item_details?.subscription;
      return !lineSubscription || lineSubscription === subscriptionId;
    })
    .map((line) => line.period.end);

  if (subscriptionId && periodEnds.length > 0) {
    await tx.query(Prisma.sql`
      UPDATE user_subscriptions
      SET current_period_end = GREATEST(current_period_end, to_timestamp(${Math.max(...periodEnds)})), updated_at = now()
      WHERE stripe_subscription_id = ${subscriptionId} AND status NOT IN ('canceled', 'incomplete_expired')`);
  }
  return { status: 'processed', userId: await resolveInvoiceUser(tx, invoice) };
}
