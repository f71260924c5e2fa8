import type Stripe from 'stripe';
import { Prisma } from '../../../db/generated/client';
import { invoiceFields, parseEventObject } from '../event-fields';
import { userOfInvoice } from './invoice-subscription';
import type { EventHandler } from './types';

/** Recorded, and the user's cache cleared: the status change (past_due…) arrives as a subscription event. */
export const handleInvoicePaymentFailed: EventHandler<Stripe.InvoicePaymentFailedEvent> = (event) => {
  const invoice = parseEventObject(invoiceFields, event.type, event.data.object);
  return { ctes: [], userId: userOfInvoice(invoice), note: Prisma.sql`NULL::text` };
};
