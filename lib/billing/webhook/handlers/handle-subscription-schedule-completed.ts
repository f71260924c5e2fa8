import type Stripe from 'stripe';
import { parseEventObject, subscriptionScheduleFields } from '../event-fields';
import { applySubscriptionSchedule } from './apply-subscription-schedule';
import type { EventHandler } from './types';

export const handleSubscriptionScheduleCompleted: EventHandler<Stripe.SubscriptionScheduleCompletedEvent> = (event, gate) =>
  applySubscriptionSchedule(parseEventObject(subscriptionScheduleFields, event.type, event.data.object), event.created, gate);
