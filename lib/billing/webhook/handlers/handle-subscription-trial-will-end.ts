import type Stripe from 'stripe';
import { parseEventObject, subscriptionFields } from '../event-fields';
import { previousStatusOf } from './previous-status-of';
import type { EventHandler } from './types';
import { upsertSubscription } from '../../subscriptions/upsert-subscription';

export const handleSubscriptionTrialWillEnd: EventHandler<Stripe.CustomerSubscriptionTrialWillEndEvent> = (event, gate) =>
  upsertSubscription({
    subscription: parseEventObject(subscriptionFields, event.type, event.data.object),
    observedAt: event.created,
    previousStatus: previousStatusOf(event),
    gate,
  });
