import type Stripe from 'stripe';
import { Prisma } from '../../../db/generated/client';
import { TERMINAL_STATUSES } from '../../plans';
import { invoiceFields, parseEventObject } from '../event-fields';
import { advancePeriodSql } from '../../subscriptions/billing-period';
import { periodOfInvoice, subscriptionOfInvoice, userOfInvoice } from './invoice-subscription';
import type { EventHandler } from './types';

/**
 * A renewal was paid: move the subscription's billing period forward to the one the invoice pays,
 * never backwards, and never on an ended subscription. The status arrives as subscription events.
 */
export const handleInvoicePaymentSucceeded: EventHandler<Stripe.InvoicePaymentSucceededEvent> = (event, gate) => {
  const invoice = parseEventObject(invoiceFields, event.type, event.data.object);
  const subscriptionId = subscriptionOfInvoice(invoice);
  const period = subscriptionId ? periodOfInvoice(invoice, subscriptionId) : null;
  const renewal = Prisma.sql`invoice_renewal AS (
    UPDATE user_subscriptions
    SET ${advancePeriodSql('user_subscriptions', period ?? /* Stryker disable next-line ObjectLiteral: without a period the WHERE below is false, nothing is written */ { start: null, end: null })}, updated_at = now()
    WHERE stripe_subscription_id = ${subscriptionId}::text AND ${period !== null}::boolean
      AND status <> ALL(${[...TERMINAL_STATUSES]}::text[]) AND ${gate}
    RETURNING user_id
  )`;
  return { ctes: [renewal], userId: userOfInvoice(invoice), note: Prisma.sql`NULL::text` };
};
