import type Stripe from 'stripe';
import { Prisma } from '../../../db/generated/client';
import { checkoutSessionFields, parseEventObject } from '../event-fields';
import type { EventHandler } from './types';

/**
 * Links the user to their Stripe customer and to the subscription. The subscription row is created
 * when checkout arrives first; it then waits, with no price and `last_event_at` null, for the first
 * subscription event to fill it.
 *
 * The webhook never creates a user: an id that names no user links nothing (note `unknown_user`), and
 * the subscription row waits with `user_id` null for a real link.
 *
 * A Stripe customer belongs to one user. If another user holds this customer (a checkout reusing a
 * customer, or a user id that changed), the latest completed checkout wins: the customer moves to the
 * user who paid, and the event's note says `customer_reassigned`.
 */
export const handleCheckoutSessionCompleted: EventHandler<Stripe.CheckoutSessionCompletedEvent> = (event, gate) => {
  const session = parseEventObject(checkoutSessionFields, event.type, event.data.object);
  const userId = session.client_reference_id || session.metadata?.user_id || null;
  const customerId = session.customer;

  const ctes = [
    Prisma.sql`known_user AS (SELECT id FROM users WHERE id = ${userId}::text)`,
    Prisma.sql`customer_released AS (
      UPDATE users SET stripe_customer_id = NULL, updated_at = now()
      WHERE stripe_customer_id = ${customerId}::text AND id <> ${userId}::text AND EXISTS (SELECT 1 FROM known_user) AND ${gate}
      RETURNING id
    )`,
    // Reading customer_released orders the two writes: the customer is free before it is linked.
    Prisma.sql`customer_linked AS (
      UPDATE users SET stripe_customer_id = ${customerId}::text, updated_at = now()
      WHERE id = (SELECT id FROM known_user) AND ${customerId}::text IS NOT NULL AND ${gate}
        AND stripe_customer_id IS DISTINCT FROM ${customerId}::text
        AND (SELECT count(*) FROM customer_released) >= 0
      RETURNING id
    )`,
    Prisma.sql`subscription_linked AS (
      INSERT INTO user_subscriptions AS s (stripe_subscription_id, user_id, stripe_customer_id)
      SELECT ${session.subscription}::text, (SELECT id FROM known_user), ${customerId}::text
      WHERE ${session.subscription}::text IS NOT NULL AND (${userId}::text IS NOT NULL) AND ${gate}
      ON CONFLICT (stripe_subscription_id) DO UPDATE SET
        user_id = COALESCE(EXCLUDED.user_id, s.user_id),
        stripe_customer_id = COALESCE(s.stripe_customer_id, EXCLUDED.stripe_customer_id),
        updated_at = now()
      RETURNING user_id
    )`,
  ];
  return {
    ctes,
    userId: Prisma.sql`(SELECT id FROM known_user)`,
    note: Prisma.sql`CASE WHEN ${userId}::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM known_user) THEN 'unknown_user'
      WHEN EXISTS (SELECT 1 FROM customer_released) THEN 'customer_reassigned' END`,
  };
};
