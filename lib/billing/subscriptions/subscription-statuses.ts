import type Stripe from 'stripe';
import { z } from 'zod';

/** Stripe's subscription statuses (`user_subscriptions.status` stores them as Stripe sends them). */
export const SUBSCRIPTION_STATUSES = [
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
] as const satisfies readonly Stripe.Subscription.Status[];
export const subscriptionStatusSchema = z.enum(SUBSCRIPTION_STATUSES);
export type SubscriptionStatus = z.infer<typeof subscriptionStatusSchema>;
export const SUBSCRIPTION_STATUS = subscriptionStatusSchema.enum;
