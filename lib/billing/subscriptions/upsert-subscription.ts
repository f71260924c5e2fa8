import { Prisma } from '../../db/generated/client';
import { catalogPriceForStripePrice } from '../catalog';
import { billingPeriodForInterval, isActiveStatus, TERMINAL_STATUSES } from '../plans';
import type { SubscriptionFields } from '../webhook/event-fields';
import type { EventEffect } from '../webhook/handlers/types';
import { advancePeriodSql } from './billing-period';
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
 * - the billing period only moves forward (see advancePeriodSql), whichever event type set it last.
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
  // A schedule event newer than this subscription event knows better what is pending.
  const scheduleNewer = Prisma.sql`s.schedule_event_at > EXCLUDED.last_event_at`;
  const keepPending = (column: string) => Prisma.sql`CASE WHEN EXCLUDED.stripe_schedule_id IS NULL AND NOT COALESCE(${scheduleNewer}, false)
        THEN NULL ELSE s.${Prisma.raw(column)} END`;
  const rank = (column: Prisma.Sql) => Prisma.sql`COALESCE(array_position(${SAME_SECOND_STATUS_ORDER}::text[], ${column}), 0)`;

  const upsert = Prisma.sql`subscription_upsert AS (
    INSERT INTO user_subscriptions AS s (
      stripe_subscription_id, user_id, stripe_customer_id, stripe_price_id, plan, billing_period,
      status, is_active, current_period_start, current_period_end, cancel_at_period_end, past_due_since, last_event_at,
      quantity, trial_end, cancel_at, canceled_at, ended_at, stripe_schedule_id
    )
    SELECT
      ${subscription.id}::text,
      COALESCE(${metadataUserId}::text, (SELECT id FROM users WHERE stripe_customer_id = ${subscription.customer}::text)),
      ${subscription.customer}::text,
      ${priceId}::text,
      ${plan}::text,
      ${billingPeriodForInterval(item?.price.recurring?.interval)}::text,
      ${status}::text,
      ${isActiveStatus(status)}::boolean,
      to_timestamp(${period.start}::bigint),
      to_timestamp(${period.end}::bigint),
      ${subscription.cancel_at_period_end}::boolean,
      CASE WHEN ${status}::text = ${SUBSCRIPTION_STATUS.past_due}::text THEN to_timestamp(${observedAt}::bigint) END,
      to_timestamp(${observedAt}::bigint),
      ${item?.quantity ?? null}::integer,
      ${at(subscription.trial_end)},
      ${at(subscription.cancel_at)},
      ${at(subscription.canceled_at)},
      ${at(subscription.ended_at)},
      ${subscription.schedule ?? null}::text
    WHERE ${gate}
    ON CONFLICT (stripe_subscription_id) DO UPDATE SET
      user_id = COALESCE(EXCLUDED.user_id, s.user_id),
      stripe_customer_id = EXCLUDED.stripe_customer_id,
      stripe_price_id = EXCLUDED.stripe_price_id,
      plan = EXCLUDED.plan,
      billing_period = EXCLUDED.billing_period,
      status = EXCLUDED.status,
      is_active = EXCLUDED.is_active,
      ${advancePeriodSql('s', period)},
      cancel_at_period_end = EXCLUDED.cancel_at_period_end,
      past_due_since = CASE WHEN EXCLUDED.status = ${SUBSCRIPTION_STATUS.past_due}::text THEN COALESCE(s.past_due_since, EXCLUDED.past_due_since) END,
      last_event_at = EXCLUDED.last_event_at,
      quantity = EXCLUDED.quantity,
      trial_end = EXCLUDED.trial_end,
      cancel_at = EXCLUDED.cancel_at,
      canceled_at = EXCLUDED.canceled_at,
      ended_at = EXCLUDED.ended_at,
      stripe_schedule_id = CASE WHEN COALESCE(${scheduleNewer}, false) THEN s.stripe_schedule_id ELSE EXCLUDED.stripe_schedule_id END,
      pending_plan = ${keepPending('pending_plan')},
      pending_price_id = ${keepPending('pending_price_id')},
      pending_billing_period = ${keepPending('pending_billing_period')},
      pending_quantity = ${keepPending('pending_quantity')},
      pending_change_at = ${keepPending('pending_change_at')},
      updated_at = now()
    WHERE s.status <> ALL(${[...TERMINAL_STATUSES]}::text[])
      AND (s.last_event_at IS NULL
        OR s.last_event_at < EXCLUDED.last_event_at
        OR (s.last_event_at = EXCLUDED.last_event_at
          AND (s.status = ${previousStatus}::text OR ${rank(Prisma.sql`EXCLUDED.status`)} >= ${rank(Prisma.sql`s.status`)})))
    RETURNING s.user_id
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
