import { Prisma } from '../../../db/generated/client';
import { catalogPriceForStripePrice } from '../../catalog';
import { TERMINAL_STATUSES } from '../../plans';
import type { SubscriptionScheduleFields } from '../event-fields';
import type { EventEffect } from './types';

/** What a schedule changes the subscription to next: its next phase's plan, price, seats and start. */
export type PendingChange = {
  plan: string;
  priceId: string | null;
  billingPeriod: string | null;
  quantity: number | null;
  changeAt: number;
};

// A schedule in these statuses still changes the subscription; any other has ended (released,
// canceled, completed) and leaves nothing pending.
const LIVE_SCHEDULE_STATUSES = ['not_started', 'active'];

/**
 * The next phase of a live schedule (after the current one; the first if none has started), read
 * through the catalog: of its items, the one whose price the catalog sells decides (by the expanded
 * price's lookup key, the phase's `lookup_key` metadata the app sets, or a configured price id);
 * a phase of prices outside the catalog is `unknown`. Null when nothing is pending.
 */
export function pendingChangeOf(schedule: SubscriptionScheduleFields): PendingChange | null {
  if (!LIVE_SCHEDULE_STATUSES.includes(schedule.status)) return null;
  // No current phase: no start matches, and the next phase is the first.
  const currentStart = schedule.current_phase?.start_date;
  const current = schedule.phases.findIndex((phase) => phase.start_date === currentStart);
  const next = schedule.phases[current + 1];
  if (!next) return null;
  for (const item of next.items) {
    const price = catalogPriceForStripePrice({ id: item.price.id, lookup_key: item.price.lookup_key ?? next.metadata?.lookup_key });
    if (price)
      return {
        plan: price.plan,
        priceId: item.price.id,
        billingPeriod: price.billingPeriod,
        quantity: item.quantity ?? 1,
        changeAt: next.start_date,
      };
  }
  const [first] = next.items;
  return {
    plan: 'unknown',
    priceId: first?.price.id ?? null,
    billingPeriod: null,
    quantity: first?.quantity ?? null,
    changeAt: next.start_date,
  };
}

/**
 * A subscription schedule's event: the row of its subscription keeps the schedule's id and the
 * pending change (or clears both once the schedule has ended), under its own ordering guard
 * (`schedule_event_at`: an older schedule event changes nothing and is noted `stale`). A schedule
 * that ended clears only its own id, never a newer schedule's. A live schedule whose subscription
 * has no row yet creates it, waiting for the first subscription event to fill it.
 */
export function applySubscriptionSchedule(schedule: SubscriptionScheduleFields, eventCreated: number, gate: Prisma.Sql): EventEffect {
  const subscriptionId = schedule.subscription ?? schedule.released_subscription ?? null;
  const live = LIVE_SCHEDULE_STATUSES.includes(schedule.status);
  const pending = pendingChangeOf(schedule);
  const values = Prisma.sql`
    ${live ? schedule.id : null}::text,
    ${pending?.plan ?? null}::text,
    ${pending?.priceId ?? null}::text,
    ${pending?.billingPeriod ?? null}::text,
    ${pending?.quantity ?? null}::integer,
    to_timestamp(${pending?.changeAt ?? null}::bigint),
    to_timestamp(${eventCreated}::bigint)`;
  const guard = Prisma.sql`s.status <> ALL(${[...TERMINAL_STATUSES]}::text[])
      AND (s.schedule_event_at IS NULL OR s.schedule_event_at <= to_timestamp(${eventCreated}::bigint))
      AND (${live}::boolean OR s.stripe_schedule_id IS NULL OR s.stripe_schedule_id = ${schedule.id}::text)`;
  const columns = Prisma.sql`stripe_schedule_id, pending_plan, pending_price_id, pending_billing_period, pending_quantity, pending_change_at, schedule_event_at`;
  const write = live
    ? Prisma.sql`schedule_change AS (
    INSERT INTO user_subscriptions AS s (stripe_subscription_id, stripe_customer_id, user_id, ${columns})
    SELECT ${subscriptionId}::text, ${schedule.customer}::text, (SELECT id FROM users WHERE stripe_customer_id = ${schedule.customer}::text), ${values}
    WHERE ${gate} AND ${subscriptionId}::text IS NOT NULL
    ON CONFLICT (stripe_subscription_id) DO UPDATE SET
      (${columns}) = (EXCLUDED.stripe_schedule_id, EXCLUDED.pending_plan, EXCLUDED.pending_price_id, EXCLUDED.pending_billing_period,
        EXCLUDED.pending_quantity, EXCLUDED.pending_change_at, EXCLUDED.schedule_event_at),
      updated_at = now()
    WHERE ${guard}
    RETURNING s.user_id
  )`
    : Prisma.sql`schedule_change AS (
    UPDATE user_subscriptions AS s SET (${columns}) = (${values}), updated_at = now()
    WHERE s.stripe_subscription_id = ${subscriptionId}::text AND ${gate} AND ${guard}
    RETURNING s.user_id
  )`;
  return {
    ctes: [write],
    userId: Prisma.sql`COALESCE(
      (SELECT user_id FROM schedule_change),
      (SELECT user_id FROM user_subscriptions WHERE stripe_subscription_id = ${subscriptionId}::text),
      (SELECT id FROM users WHERE stripe_customer_id = ${schedule.customer}::text))`,
    note: Prisma.sql`CASE WHEN EXISTS (SELECT 1 FROM schedule_change) THEN NULL
      WHEN EXISTS (SELECT 1 FROM user_subscriptions WHERE stripe_subscription_id = ${subscriptionId}::text) THEN 'stale' END`,
  };
}
