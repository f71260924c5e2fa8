import type Stripe from 'stripe';
import { Prisma } from '../../../db/generated/client';
import { TERMINAL_STATUSES } from '../../plans';
import { advancePeriodSql } from '../../subscriptions/billing-period';
import { invoiceFields, parseEventObject } from '../event-fields';
import { periodOfInvoice, subscriptionOfInvoice, userOfInvoice } from './invoice-subscription';
import type { EventHandler } from './types';

/**
 * A renewal was paid: move the subscription's billing period forward to the one the invoice pays,
 * never backwards, and never on an ended subscription. The status arrives as subscription events.
 * An invoice that pays no period of a subscription moves no period; its payment is still recorded.
 */
export const handleInvoicePaymentSucceeded: EventHandler<Stripe.InvoicePaymentSucceededEvent> = (event, gate) => {
  const invoice = parseEventObject(invoiceFields, event.type, event.data.object);
  const subscriptionId = subscriptionOfInvoice(invoice);
  const period = subscriptionId ? periodOfInvoice(invoice, subscriptionId) : null;
  // The invoice is paid: a confirmation it asked for is done (whichever of the two events arrives first).
  const paid = Prisma.sql`last_paid_invoice_id = ${invoice.id}::text,
      payment_action_url = CASE WHEN payment_action_invoice_id = ${invoice.id}::text THEN NULL ELSE payment_action_url END,
      payment_action_invoice_id = CASE WHEN payment_action_invoice_id = ${invoice.id}::text THEN NULL ELSE payment_action_invoice_id END`;
  // Without a period to pay for (no line of this subscription), only the payment is recorded: the row's
  // updated_at, which ranks a user's subscriptions, stays.
  const renewal = Prisma.sql`invoice_renewal AS (
    UPDATE user_subscriptions
    SET ${period ? Prisma.sql`${advancePeriodSql('user_subscriptions', period)}, updated_at = now(),` : Prisma.empty} ${paid}
    WHERE stripe_subscription_id = ${subscriptionId}::text
      AND status <> ALL(${[...TERMINAL_STATUSES]}::text[]) AND ${gate}
    RETURNING user_id
  )`;
  return { ctes: [renewal], userId: userOfInvoice(invoice), note: Prisma.sql`NULL::text` };
};
