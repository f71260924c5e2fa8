import type Stripe from 'stripe';
import type { Prisma } from '../../../db/generated/client';
import { subscriptionUpsertQuery } from './upsert-subscription';
import { parseEventObject, subscriptionFields } from '../event-fields';
import { handleCheckoutSessionCompleted } from './handle-checkout-session-completed';
import { handleInvoicePaymentFailed } from './handle-invoice-payment-failed';
import { handleInvoicePaymentSucceeded } from './handle-invoice-payment-succeeded';
import { handleSubscriptionCreated } from './handle-subscription-created';
import { handleSubscriptionDeleted } from './handle-subscription-deleted';
import { handleSubscriptionUpdated } from './handle-subscription-updated';
import type { HandlerContext, HandlerOutcome } from './types';

/** The event types this app applies; every other type is recorded as `ignored`. */
export const HANDLED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
]);

/**
 * For the most frequent events, whose effect is a single statement (the subscription snapshots),
 * that statement under a gate, so the whole delivery can run as one statement. Null for the rest.
 */
export function singleStatementEffect(event: Stripe.Event): ((gate: Prisma.Sql) => Prisma.Sql) | null {
  switch (event.type) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const subscription = parseEventObject(subscriptionFields, event.type, event.data.object);
      const canceled = event.type === 'customer.subscription.deleted';
      return (gate) => subscriptionUpsertQuery({ subscription, eventCreated: event.created, canceled, gate });
    }
    default:
      return null;
  }
}

/** Runs the handler of an allowlisted event type; null for any other type. */
export async function dispatchStripeEvent(event: Stripe.Event, context: HandlerContext): Promise<HandlerOutcome | null> {
  switch (event.type) {
    case 'checkout.session.completed':
      return handleCheckoutSessionCompleted(event, context);
    case 'customer.subscription.created':
      return handleSubscriptionCreated(event, context);
    case 'customer.subscription.updated':
      return handleSubscriptionUpdated(event, context);
    case 'customer.subscription.deleted':
      return handleSubscriptionDeleted(event, context);
    case 'invoice.payment_succeeded':
      return handleInvoicePaymentSucceeded(event, context);
    case 'invoice.payment_failed':
      return handleInvoicePaymentFailed(event, context);
    default:
      return null;
  }
}
