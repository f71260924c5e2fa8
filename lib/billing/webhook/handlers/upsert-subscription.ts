import { Prisma } from '../../../db/generated/client';
import type { SqlTransaction } from '../../../db/sql-transaction';
import { billingPeriodForInterval, isActiveStatus, planForPrice, TERMINAL_STATUSES } from '../../plans';
import type { SubscriptionFields } from '../event-fields';
import type { HandlerOutcome } from './types';

type ApplySubscriptionSnapshotOptions = {
  tx: SqlTransaction;
  subscription: SubscriptionFields;
  /** The event's `created` (Unix seconds): the row keeps the newest one applied. */
  eventCreated: number;
  /** `customer.subscription.deleted` ends the subscription whatever the object says. */
  canceled?: boolean;
};

/**
 * Upserts the subscription row from a subscription object, in one statement that enforces the
 * ordering rules under the row lock: an event strictly older than `last_event_at` is not applied
 * (the same second is), and a terminal status is never changed.
 */
export async function applySubscriptionSnapshot({ tx, subscription, eventCreated, canceled = false }: ApplySubscriptionSnapshotOptions): Promise<HandlerOutcome> {
  const applied = await tx.query<{ user_id: string | null }>(subscriptionUpsertQuery({ subscription, eventCreated, canceled }));
  if (applied[0]) return { status: 'processed', userId: applied[0].user_id };

  const current = await tx.query<{ user_id: string | null }>(Prisma.sql`
    SELECT user_id FROM user_subscriptions WHERE stripe_subscription_id = ${subscription.id}`);
  return { status: 'stale', userId: current[0]?.user_id ?? (subscription.metadata.user_id || null) };
}

/**
 * The guarded upsert; returns the row's user_id when applied, nothing when stale or terminal.
 * `gate` is a condition the row is written under (the webhook's one-statement path gates it on
 * its own claim of the event).
 */
export function subscriptionUpsertQuery({ subscription, eventCreated, canceled = false, gate = Prisma.sql`true` }: Omit<ApplySubscriptionSnapshotOptions, 'tx'> & { gate?: Prisma.Sql }): Prisma.Sql {
  const item = subscription.items.data[0];
  const priceId = item?.price.id ?? null;
  const status = canceled ? 'canceled' : subscription.status;
  const metadataUserId = subscription.metadata.user_id || null;
  const terminal = [...TERMINAL_STATUSES];

  return Prisma.sql`
    INSERT INTO user_subscriptions AS s (
      stripe_subscription_id, user_id, stripe_customer_id, stripe_price_id, plan, billing_period,
      status, is_active, current_period_end, cancel_at_period_end, last_event_at
    )
    SELECT
      ${subscription.id}::text,
      COALESCE(${metadataUserId}::text, (SELECT id FROM users WHERE stripe_customer_id = ${subscription.customer}::text)),
      ${subscription.customer}::text,
      ${priceId}::text,
      ${planForPrice(priceId)}::text,
      ${billingPeriodForInterval(item?.price.recurring?.interval)}::text,
      ${status}::text,
      ${isActiveStatus(status)}::boolean,
      ${item ? new Date(item.current_period_end * 1000) : null}::timestamptz,
      ${subscription.cancel_at_period_end}::boolean,
      to_timestamp(${eventCreated}::bigint)
    WHERE ${gate}
    ON CONFLICT (stripe_subscription_id) DO UPDATE SET
      user_id = COALESCE(EXCLUDED.user_id, s.user_id),
      stripe_customer_id = EXCLUDED.stripe_customer_id,
      stripe_price_id = EXCLUDED.stripe_price_id,
      plan = EXCLUDED.plan,
      billing_period = EXCLUDED.billing_period,
      status = EXCLUDED.status,
      is_active = EXCLUDED.is_active,
      current_period_end = EXCLUDED.current_period_end,
      cancel_at_period_end = EXCLUDED.cancel_at_period_end,
      last_event_at = EXCLUDED.last_event_at,
      updated_at = now()
    WHERE (s.last_event_at IS NULL OR s.last_event_at <= EXCLUDED.last_event_at)
      AND s.status <> ALL(${terminal}::text[])
    RETURNING s.user_id`;
}
