import type Stripe from 'stripe';
import { Prisma } from '../../../db/generated/client';
import { checkoutSessionFields, parseEventObject } from '../event-fields';
import type { HandlerContext, HandlerOutcome } from './types';

/**
 * Links the user to their Stripe customer and to the subscription. The subscription row is created
 * when checkout arrives first; it then waits, with no price and `last_event_at` null, for the first
 * subscription event to fill it.
 */
export async function handleCheckoutSessionCompleted(event: Stripe.CheckoutSessionCompletedEvent, { tx }: HandlerContext): Promise<HandlerOutcome> {
  const session = parseEventObject(checkoutSessionFields, event.type, event.data.object);
  const userId = session.client_reference_id || session.metadata?.user_id || null;
  if (!userId) return { status: 'processed', userId: null };

  if (session.customer) {
    await tx.query(Prisma.sql`
      INSERT INTO users (id, stripe_customer_id) VALUES (${userId}, ${session.customer})
      ON CONFLICT (id) DO UPDATE SET stripe_customer_id = EXCLUDED.stripe_customer_id, updated_at = now()
      WHERE users.stripe_customer_id IS DISTINCT FROM EXCLUDED.stripe_customer_id`);
  }
  if (session.subscription) {
    await tx.query(Prisma.sql`
      INSERT INTO user_subscriptions AS s (stripe_subscription_id, user_id, stripe_customer_id)
      VALUES (${session.subscription}, ${userId}, ${session.customer})
      ON CONFLICT (stripe_subscription_id) DO UPDATE SET
        user_id = EXCLUDED.user_id,
        stripe_customer_id = COALESCE(s.stripe_customer_id, EXCLUDED.stripe_customer_id),
        updated_at = now()`);
  }
  return { status: 'processed', userId };
}
