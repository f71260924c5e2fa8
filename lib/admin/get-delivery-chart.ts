import { EVENT_STATUS, EVENT_STATUSES, type EventStatus, eventStatusSql } from '../billing/webhook/event-statuses';
import { getPrisma } from '../db/client';
import { Prisma } from '../db/generated/client';

/** The outcomes of a delivery, in the order the chart stacks them (bottom first). */
export const DELIVERY_OUTCOMES = ['processed', 'duplicate', 'stale', 'ignored', 'failed', 'rejected'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export type HourlyDeliveries = { hour: Date } & Record<DeliveryOutcome, number>;

/**
 * Deliveries per hour by outcome for the `hours` hours ending with the hour that holds `now`, oldest
 * first, empty hours as zeros. Events count by the hour they were first received; duplicates and
 * rejections come from their hourly counters. The event rows are counted from indexes only: per
 * status from (status, received_at, id), stale ones from their partial index.
 */
export async function getDeliveryChart({ hours = 168, now = new Date() }: { hours?: number; now?: Date } = {}): Promise<
  HourlyDeliveries[]
> {
  // Stable expressions, not subqueries: the planner sees the bounds and scans the indexes for that range only.
  const lastHour = Prisma.sql`date_trunc('hour', ${now}::timestamptz)`;
  const firstHour = Prisma.sql`(${lastHour} - ${hours - 1}::int * interval '1 hour')`;
  const endAt = Prisma.sql`(${lastHour} + interval '1 hour')`;
  // One count per recorded status, each a literal so the (status, received_at, id) index serves it.
  const perStatus = EVENT_STATUSES.map(
    (status) => Prisma.sql`count(*) FILTER (WHERE status = ${eventStatusSql(status)}) AS ${Prisma.raw(status)}`,
  );
  const rows = await getPrisma().$queryRaw<
    ({ hour: Date; duplicate: number; stale: number; rejected: number } & Record<EventStatus, number>)[]
  >`
    WITH events AS (
      SELECT date_trunc('hour', received_at) AS hour,
             ${Prisma.join(perStatus)}
      FROM stripe_webhook_events
      WHERE status IN (${Prisma.join(EVENT_STATUSES.map(eventStatusSql))})
        AND received_at >= ${firstHour} AND received_at < ${endAt}
      GROUP BY 1
    ),
    stale AS (
      SELECT date_trunc('hour', received_at) AS hour, count(*) AS stale
      FROM stripe_webhook_events
      WHERE status = ${eventStatusSql(EVENT_STATUS.processed)} AND note = 'stale'
        AND received_at >= ${firstHour} AND received_at < ${endAt}
      GROUP BY 1
    ),
    duplicates AS (
      SELECT date_trunc('hour', hour) AS hour, sum(count) AS duplicate
      FROM stripe_webhook_duplicates
      WHERE hour >= ${firstHour} AND hour < ${endAt}
      GROUP BY 1
    ),
    rejections AS (
      SELECT date_trunc('hour', hour) AS hour, sum(count) AS rejected
      FROM stripe_webhook_rejections
      WHERE hour >= ${firstHour} AND hour < ${endAt}
      GROUP BY 1
    )
    SELECT h.hour,
           (coalesce(e.processed, 0) - coalesce(s.stale, 0))::int AS processed,
           coalesce(d.duplicate, 0)::int AS duplicate,
           coalesce(s.stale, 0)::int AS stale,
           coalesce(e.ignored, 0)::int AS ignored,
           coalesce(e.failed, 0)::int AS failed,
           coalesce(r.rejected, 0)::int AS rejected
    FROM generate_series(${firstHour}, ${lastHour}, interval '1 hour') AS h(hour)
    LEFT JOIN events e ON e.hour = h.hour
    LEFT JOIN stale s ON s.hour = h.hour
    LEFT JOIN duplicates d ON d.hour = h.hour
    LEFT JOIN rejections r ON r.hour = h.hour
    ORDER BY h.hour`;
  return rows.map(({ hour, processed, duplicate, stale, ignored, failed, rejected }) => ({
    hour,
    processed,
    duplicate,
    stale,
    ignored,
    failed,
    rejected,
  }));
}
