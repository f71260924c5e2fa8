import type Stripe from 'stripe';
import { parseEventObject, subscriptionFields } from '../event-fields';
import type { EventHandler } from './types';
import { upsertSubscription } from '../../subscriptions/upsert-subscription';

export const handleSubscriptionDeleted: EventHandler<Stripe.CustomerSubscriptionDeletedEvent> = (event, gate) =>
  upsertSubscription({
    subscription: parseEventObject(subscriptionFields, event.type, event.data.object),
    observedAt: event.created,
    canceled: true,
    gate,
  });
