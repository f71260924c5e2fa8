import type Stripe from 'stripe';
import { Prisma } from '../../../db/generated/client';
import { TERMINAL_STATUSES } from '../../plans';
import { parseEventObject, paymentActionInvoiceFields } from '../event-fields';
import { subscriptionOfInvoice, userOfInvoice } from './invoice-subscription';
import type { EventHandler } from './types';

/**
 * The bank asks the customer to confirm a payment (3-D Secure): the subscription row keeps the
 * invoice and its hosted page, which the dashboard turns into a banner, until that invoice is paid
 * (`invoice.payment_succeeded` clears it; if the payment arrived first, this changes nothing).
 */
export const handleInvoicePaymentActionRequired: EventHandler<Stripe.InvoicePaymentActionRequiredEvent> = (event, gate) => {
  const invoice = parseEventObject(paymentActionInvoiceFields, event.type, event.data.object);
  const action = Prisma.sql`payment_action AS (
    UPDATE user_subscriptions
    SET payment_action_invoice_id = ${invoice.id}::text, payment_action_url = ${invoice.hosted_invoice_url ?? null}::text, updated_at = now()
    WHERE stripe_subscription_id = ${subscriptionOfInvoice(invoice)}::text
      AND last_paid_invoice_id IS DISTINCT FROM ${invoice.id}::text
      AND status <> ALL(${[...TERMINAL_STATUSES]}::text[]) AND ${gate}
    RETURNING user_id
  )`;
  return { ctes: [action], userId: userOfInvoice(invoice), note: Prisma.sql`NULL::text` };
};
