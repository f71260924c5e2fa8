import type Stripe from 'stripe';
import { invoiceFields, parseEventObject } from '../event-fields';
import { resolveInvoiceUser } from './invoice-subscription';
import type { HandlerContext, HandlerOutcome } from './types';

/** Recorded only: the status change (past_due...) arrives as customer.subscription.updated. */
export async function handleInvoicePaymentFailed(event: Stripe.InvoicePaymentFailedEvent, { tx }: HandlerContext): Promise<HandlerOutcome> {
  const invoice = parseEventObject(invoiceFields, event.type, event.data.object);
  return { status: 'processed', userId: await resolveInvoiceUser(tx, invoice) };
}
