import { invalidateFeatureCache } from '../../cache/feature-cache';
import { Prisma } from '../../db/generated/client';
import { transaction } from '../../db/sql';

/** The link was refused: no such subscription or user. The message is for the administrator. */
export class LinkSubscriptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkSubscriptionError';
  }
}

type LinkOptions = {
  subscriptionId: string;
  /** The user, by id or e-mail address, as the administrator identified them. */
  user: string;
  /** The administrator who links (recorded in the audit trail). */
  actorId: string;
};

/**
 * An administrator's link of a subscription to a user: the row's user, and the user's Stripe
 * customer when they have none yet and nobody else has it (so later events link by customer too).
 * Recorded in the subscription's audit trail with who did it; the user's feature cache is cleared.
 */
export async function linkSubscriptionToUser({
  subscriptionId,
  user,
  actorId,
}: LinkOptions): Promise<{ userId: string; previousUserId: string | null }> {
  const linked = await transaction(async (run) => {
    const [target] = await run<{ id: string }>(Prisma.sql`
      SELECT id FROM users WHERE id = ${user}::text OR lower(email) = lower(${user}::text) ORDER BY id = ${user}::text DESC LIMIT 1`);
    if (!target) throw new LinkSubscriptionError(`No user with id or e-mail address ${user}`);
    const [row] = await run<{ user_id: string | null; stripe_customer_id: string | null }>(Prisma.sql`
      SELECT user_id, stripe_customer_id FROM user_subscriptions WHERE stripe_subscription_id = ${subscriptionId}::text FOR UPDATE`);
    if (!row) throw new LinkSubscriptionError(`No stored subscription ${subscriptionId}: run a sync first`);
    await run(Prisma.sql`
      WITH linked AS (
        UPDATE user_subscriptions SET user_id = ${target.id}::text, updated_at = now() WHERE stripe_subscription_id = ${subscriptionId}::text
      ), customer AS (
        UPDATE users SET stripe_customer_id = ${row.stripe_customer_id}::text, updated_at = now()
        WHERE id = ${target.id}::text AND stripe_customer_id IS NULL AND ${row.stripe_customer_id}::text IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM users WHERE stripe_customer_id = ${row.stripe_customer_id}::text)
      )
      INSERT INTO stripe_subscription_changes (stripe_subscription_id, user_id, source, outcome, changes, actor_id)
      VALUES (${subscriptionId}::text, ${target.id}::text, 'admin', 'linked',
        ${JSON.stringify({ user_id: { stored: row.user_id, stripe: target.id } })}::jsonb, ${actorId}::text)`);
    return { userId: target.id, previousUserId: row.user_id };
  });
  await invalidateFeatureCache(linked.userId);
  if (linked.previousUserId && linked.previousUserId !== linked.userId) await invalidateFeatureCache(linked.previousUserId);
  return linked;
}
