import type Stripe from 'stripe';
import { Prisma } from '../../../db/generated/client';
import { TERMINAL_STATUSES } from '../../plans';
import { invoiceFields, parseEventObject } from '../event-fields';
import { periodEndOfInvoice, subscriptionOfInvoice, userOfInvoice } from './invoice-subscription';
import type { EventHandler } from './types';

/**
 * A renewal was paid: move the period end forward to the end of the subscription's invoice lines,
 * never backwards, and never on an ended subscription. The status arrives as subscription events.
 */
export const handleInvoicePaymentSucceeded: EventHandler<Stripe.InvoicePaymentSucceededEvent> = (event, gate) => {
  const invoice = parseEventObject(invoiceFields, event.type, event.data.object);
  const subscriptionId = subscriptionOfInvoice(invoice);
  const periodEnd = subscriptionId ? periodEndOfInvoice(invoice, subscriptionId) : null;
  const renewal = Prisma.sql`invoice_renewal AS (
    UPDATE user_subscriptions
    SET current_period_end = GREATEST(current_period_end, to_timestamp(${periodEnd}::bigint)), updated_at = now()
    WHERE stripe_subscription_id = ${subscriptionId}::text AND ${periodEnd}::bigint IS NOT NULL
      AND status <> ALL(${[...TERMINAL_STATUSES]}::text[]) AND ${gate}
    RETURNING user_id
  )`;
  return { ctes: [renewal], userId: userOfInvoice(invoice), note: Prisma.sql`NULL::text` };
};
