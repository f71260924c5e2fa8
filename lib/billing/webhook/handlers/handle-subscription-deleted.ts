import type Stripe from 'stripe';
import { applySubscriptionSnapshot } from './upsert-subscription';
import { parseEventObject, subscriptionFields } from '../event-fields';
import type { HandlerContext, HandlerOutcome } from './types';

export async function handleSubscriptionDeleted(event: Stripe.CustomerSubscriptionDeletedEvent, { tx }: HandlerContext): Promise<HandlerOutcome> {
  const subscription = parseEventObject(subscriptionFields, event.type, event.data.object);
  return applySubscriptionSnapshot({ tx, subscription, eventCreated: event.created, canceled: true });
}
