import { Prisma } from '../../db/generated/client';
import { catalogPriceForStripePrice } from '../catalog';
import { billingPeriodForInterval, isActiveStatus, TERMINAL_STATUSES } from '../plans';
import type { SubscriptionFields } from '../webhook/event-fields';
import type { EventEffect } from '../webhook/handlers/types';
import { SUBSCRIPTION_STATUS, type SubscriptionStatus } from './subscription-statuses';

/**
 * A subscription's lifecycle, earliest first: of two events from the same second, the one whose
 * status comes later is the state Stripe reached. Unknown statuses rank first.
 */
const SAME_SECOND_STATUS_ORDER: readonly SubscriptionStatus[] = [
  'incomplete',
  'trialing',
  'active',
  'past_due',
  'unpaid',
  'paused',
  'canceled',
  'incomplete_expired',
];

/**
 * The item that decides the plan: of several items, the first whose price the catalog sells (its
 * quantity is the seat count); else the first item, whose price then unlocks nothing (`unknown`).
 * No item at all: no price, plan `free`.
 */
function planItemOf(subscription: SubscriptionFields): { item: SubscriptionFields['items']['data'][number] | undefined; plan: string } {
  for (const item of subscription.items.data) {
    const price = catalogPriceForStripePrice(item.price);
    if (price) return { item, plan: price.plan };
  }
  const item = subscription.items.data[0];
  return { item, plan: item ? 'unknown' : 'free' };
}

type UpsertSubscriptionOptions = {
  subscription: SubscriptionFields;
  /**
   * When Stripe's state was observed (Unix seconds): a webhook event's `created`, or the moment a sync
   * fetched the subscription. The row keeps the newest observation applied.
   */
  observedAt: number;
  /** `customer.subscription.deleted` ends the subscription whatever the object says. */
  canceled?: boolean;
  /** The status before this change (`previous_attributes.status` of an update), when Stripe sent it. */
  previousStatus?: string | null;
  /** The condition every write carries: the webhook pipeline's claim; `Prisma.sql\`true\`` for a caller with none. */
  gate: Prisma.Sql;
};

/**
 * The guarded upsert of a subscription snapshot, under the row lock, as the CTE of one statement (the
 * webhook handlers' effect; a sync composes it the same way with the moment it fetched the object):
 * - an observation strictly older than `last_event_at` is not applied; one of the same second is applied
 *   only if it moves on from the stored status (its `previous_attributes.status`) or its status is
 *   not behind in the lifecycle (Stripe's `created` has one-second resolution, and `created`
 *   incomplete + `updated` active can share a second and arrive in either order);
 * - a terminal status is never changed;
 * - the billing period only moves forward (`billing_advanced_period_end`), whichever event type set it last.
 * The statement calls the database function `billing_upsert_subscription`, which holds these rules.
 */
export function upsertSubscription({
  subscription,
  observedAt,
  canceled = false,
  previousStatus = null,
  gate,
}: UpsertSubscriptionOptions): EventEffect {
  const { item, plan } = planItemOf(subscription);
  const priceId = item?.price.id ?? null;
  const status = canceled ? SUBSCRIPTION_STATUS.canceled : subscription.status;
  const period = {
    start: item?.current_period_start ?? subscription.current_period_start ?? null,
    end: item?.current_period_end ?? subscription.current_period_end ?? null,
  };
  const metadataUserId = subscription.metadata.user_id || null;
  const at = (seconds: number | null | undefined) => Prisma.sql`to_timestamp(${seconds ?? null}::bigint)`;

  // The rules themselves are the function's (migration 20261207170000_subscription_upsert_function):
  // PostgreSQL parses it once per connection and keeps its plan, where this statement is parsed and planned on every call.
  const upsert = Prisma.sql`subscription_upsert AS (
    SELECT applied_user_id AS user_id FROM billing_upsert_subscription(
      ${subscription.id}::text,
      ${metadataUserId}::text,
      ${subscription.customer}::text,
      ${priceId}::text,
      ${plan}::text,
      ${billingPeriodForInterval(item?.price.recurring?.interval)}::text,
      ${status}::text,
      ${isActiveStatus(status)}::boolean,
      ${at(period.start)},
      ${at(period.end)},
      ${subscription.cancel_at_period_end}::boolean,
      ${at(status === SUBSCRIPTION_STATUS.past_due ? observedAt : null)},
      ${at(observedAt)},
      ${item?.quantity ?? null}::integer,
      ${at(subscription.trial_end)},
      ${at(subscription.cancel_at)},
      ${at(subscription.canceled_at)},
      ${at(subscription.ended_at)},
      ${subscription.schedule ?? null}::text,
      ${previousStatus}::text,
      ${[...TERMINAL_STATUSES]}::text[],
      ${SAME_SECOND_STATUS_ORDER}::text[])
    WHERE ${gate}
  )`;

  return {
    ctes: [upsert],
    userId: Prisma.sql`COALESCE(
      (SELECT user_id FROM subscription_upsert),
      (SELECT user_id FROM user_subscriptions WHERE stripe_subscription_id = ${subscription.id}::text),
      ${metadataUserId}::text)`,
    note: Prisma.sql`CASE WHEN NOT EXISTS (SELECT 1 FROM subscription_upsert) THEN 'stale' WHEN ${plan === 'unknown'}::boolean THEN 'unknown_price' END`,
  };
}
