import type Stripe from 'stripe';
import type { Prisma } from '../../../db/generated/client';
import { handleCheckoutSessionCompleted } from './handle-checkout-session-completed';
import { handleInvoicePaymentActionRequired } from './handle-invoice-payment-action-required';
import { handleInvoicePaymentFailed } from './handle-invoice-payment-failed';
import { handleInvoicePaymentSucceeded } from './handle-invoice-payment-succeeded';
import { handleSubscriptionCreated } from './handle-subscription-created';
import { handleSubscriptionDeleted } from './handle-subscription-deleted';
import { handleSubscriptionPaused } from './handle-subscription-paused';
import { handleSubscriptionResumed } from './handle-subscription-resumed';
import { handleSubscriptionScheduleCanceled } from './handle-subscription-schedule-canceled';
import { handleSubscriptionScheduleCompleted } from './handle-subscription-schedule-completed';
import { handleSubscriptionScheduleCreated } from './handle-subscription-schedule-created';
import { handleSubscriptionScheduleReleased } from './handle-subscription-schedule-released';
import { handleSubscriptionScheduleUpdated } from './handle-subscription-schedule-updated';
import { handleSubscriptionTrialWillEnd } from './handle-subscription-trial-will-end';
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
  'customer.subscription.trial_will_end': handleSubscriptionTrialWillEnd,
  'customer.subscription.paused': handleSubscriptionPaused,
  'customer.subscription.resumed': handleSubscriptionResumed,
  'subscription_schedule.created': handleSubscriptionScheduleCreated,
  'subscription_schedule.updated': handleSubscriptionScheduleUpdated,
  'subscription_schedule.released': handleSubscriptionScheduleReleased,
  'subscription_schedule.canceled': handleSubscriptionScheduleCanceled,
  'subscription_schedule.completed': handleSubscriptionScheduleCompleted,
  'invoice.payment_action_required': handleInvoicePaymentActionRequired,
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
