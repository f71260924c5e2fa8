import type Stripe from 'stripe';
import { parseEventObject, previousAttributesFields, subscriptionFields } from '../event-fields';
import type { EventHandler } from './types';
import { upsertSubscription } from '../../subscriptions/upsert-subscription';

export const handleSubscriptionResumed: EventHandler<Stripe.CustomerSubscriptionResumedEvent> = (event, gate) =>
  upsertSubscription({
    subscription: parseEventObject(subscriptionFields, event.type, event.data.object),
    observedAt: event.created,
    previousStatus: previousAttributesFields.safeParse(event.data.previous_attributes).data?.status ?? null,
    gate,
  });
