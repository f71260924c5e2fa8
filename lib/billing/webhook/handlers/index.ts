import type Stripe from 'stripe';
import type { Prisma } from '../../../db/generated/client';
import { handleCheckoutSessionCompleted } from './handle-checkout-session-completed';
import { handleInvoicePaymentFailed } from './handle-invoice-payment-failed';
import { handleInvoicePaymentSucceeded } from './handle-invoice-payment-succeeded';
import { handleSubscriptionCreated } from './handle-subscription-created';
import { handleSubscriptionDeleted } from './handle-subscription-deleted';
import { handleSubscriptionUpdated } from './handle-subscription-updated';
import type { EventEffect, EventHandler } from './types';

type Handlers = { [Type in Stripe.Event.Type]?: EventHandler<Extract<Stripe.Event, { type: Type }>> };

/** The allowlist: the event types this app applies, each with its one handler. */
const HANDLERS: Handlers = {
  'checkout.session.completed': handleCheckoutSessionCompleted,
  'customer.subscription.created': handleSubscriptionCreated,
  'customer.subscription.updated': handleSubscriptionUpdated,
  'customer.subscription.deleted': handleSubscriptionDeleted,
  'invoice.payment_succeeded': handleInvoicePaymentSucceeded,
  'invoice.payment_failed': handleInvoicePaymentFailed,
};

/** Every other type is recorded as `ignored`. */
export const HANDLED_EVENT_TYPES: readonly string[] = Object.keys(HANDLERS);

/** The effect of an allowlisted event, or null for a type this app does not handle. */
export function effectOfEvent(event: Stripe.Event, gate: Prisma.Sql): EventEffect | null {
  // The map pairs each type with the handler of that type; TypeScript cannot follow the pairing
  // through an index, so the lookup is widened here and nowhere else.
  const handler = HANDLERS[event.type] as EventHandler<Stripe.Event> | undefined;
  return handler ? handler(event, gate) : null;
}
