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
 * An invoice that pays no period of a subscription is recorded and changes no row.
 */
export const handleInvoicePaymentSucceeded: EventHandler<Stripe.InvoicePaymentSucceededEvent> = (event, gate) => {
  const invoice = parseEventObject(invoiceFields, event.type, event.data.object);
  const subscriptionId = subscriptionOfInvoice(invoice);
  const period = subscriptionId ? periodOfInvoice(invoice, subscriptionId) : null;
  const effect = { ctes: [], userId: userOfInvoice(invoice), note: Prisma.sql`NULL::text` };
  if (!period) return effect;
  const renewal = Prisma.sql`invoice_renewal AS (
    UPDATE user_subscriptions
    SET ${advancePeriodSql('user_subscriptions', period)}, updated_at = now()
    WHERE stripe_subscription_id = ${subscriptionId}::text
      AND status <> ALL(${[...TERMINAL_STATUSES]}::text[]) AND ${gate}
    RETURNING user_id
  )`;
  return { ...effect, ctes: [renewal] };
};
