import { expectedLivemode } from '../env';
import { Prisma } from '../db/generated/client';
import { query } from '../db/sql';
import { EVENT_OUTCOME_SQL } from './count-webhook-events';
import { getLastSyncDrift } from './get-last-sync-drift';

export type MetricSample = { labels?: Record<string, string>; value: number };
export type MetricFamily = { name: string; help: string; type: 'counter' | 'gauge'; samples: MetricSample[] };

/** The window the lag quantiles cover. */
export const LAG_WINDOW_SECONDS = 3_600;

/**
 * Every series of /api/metrics, from the database so every instance answers the same. Cheap at any
 * table size: counters read the running totals of stripe_webhook_event_counts plus the events of the
 * hour not yet counted (an index range), the hourly duplicate and rejection counters, and gauges read
 * indexes (failed by status, the last hour by received_at) and one-row tables.
 */
export async function collectMetrics(): Promise<MetricFamily[]> {
  const mode = expectedLivemode() ? 'live' : 'test';
  // The bound as a value, so the planner reads the uncounted tail from the received_at index.
  const [state] = await query<{ counted_until: Date | null }>(Prisma.sql`SELECT counted_until FROM stripe_monitor_state WHERE id = 1`);
  const countedUntil = state?.counted_until ?? null;
  const [deliveries, duplicates, rejections, gauges, alerts, syncDrift] = await Promise.all([
    // One statement: the totals and the uncounted tail are read in the same snapshot, so an event is
    // never in both or in neither while another instance counts (counted_until only moves forward:
    // the subquery narrows the tail when a count committed since the bound was read).
    query<{ type: string; outcome: string; count: string; unknown_price: string }>(Prisma.sql`
      SELECT type, outcome, sum(count)::bigint AS count, sum(unknown_price)::bigint AS unknown_price FROM (
        SELECT type, outcome, count, unknown_price FROM stripe_webhook_event_counts WHERE hour = '-infinity'
        UNION ALL
        SELECT type, ${EVENT_OUTCOME_SQL}, count(*), count(*) FILTER (WHERE note = 'unknown_price')
        FROM stripe_webhook_events
        WHERE received_at >= coalesce(${countedUntil}::timestamptz, '-infinity')
          AND received_at >= coalesce((SELECT counted_until FROM stripe_monitor_state WHERE id = 1), '-infinity')
        GROUP BY 1, 2
      ) AS all_counts
      GROUP BY type, outcome ORDER BY type, outcome`),
    query<{ total: string }>(Prisma.sql`SELECT coalesce(sum(count), 0)::bigint AS total FROM stripe_webhook_duplicates`),
    query<{ reason: string; total: string }>(Prisma.sql`
      SELECT reason, sum(count)::bigint AS total FROM stripe_webhook_rejections GROUP BY reason ORDER BY reason`),
    query<{
      failed: number;
      p50: number | null;
      p90: number | null;
      p99: number | null;
      max: number | null;
      last_received: number | null;
      cursor_age: number | null;
    }>(Prisma.sql`
      SELECT (SELECT count(*)::int FROM stripe_webhook_events WHERE status = 'failed') AS failed,
             lag.p[1] AS p50, lag.p[2] AS p90, lag.p[3] AS p99, lag.max,
             (SELECT extract(epoch FROM max(received_at))::float8 FROM stripe_webhook_events) AS last_received,
             (SELECT extract(epoch FROM now() - covered_until)::float8 FROM stripe_reconcile_state WHERE mode = ${mode}) AS cursor_age
      FROM (
        SELECT percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY seconds) AS p, max(seconds) AS max
        FROM (SELECT greatest(extract(epoch FROM received_at - stripe_created_at), 0)::float8 AS seconds
              FROM stripe_webhook_events
              WHERE received_at > now() - make_interval(secs => ${LAG_WINDOW_SECONDS}) AND stripe_created_at IS NOT NULL) AS recent
      ) AS lag`),
    query<{ name: string; firing: boolean }>(Prisma.sql`SELECT name, firing FROM stripe_monitor_alerts ORDER BY name`),
    getLastSyncDrift(),
  ]);
  const g = gauges[0];
  const optional = (value: number | null | undefined, labels?: Record<string, string>): MetricSample[] =>
    value === null || value === undefined ? [] : [{ labels, value }];
  return [
    {
      name: 'stripe_webhook_deliveries_total',
      help: 'Stripe events recorded, by event type and outcome (processed, stale, ignored, failed; an event counts under its outcome when its hour is counted).',
      type: 'counter',
      samples: deliveries.map((row) => ({ labels: { type: row.type, outcome: row.outcome }, value: Number(row.count) })),
    },
    {
      name: 'stripe_webhook_duplicate_deliveries_total',
      help: 'Redeliveries of an event already processed (answered already_processed).',
      type: 'counter',
      samples: [{ value: Number(duplicates[0]?.total ?? 0) }],
    },
    {
      name: 'stripe_webhook_rejected_deliveries_total',
      help: 'Requests to the webhook rejected before anything was recorded, by reason.',
      type: 'counter',
      samples: rejections.map((row) => ({ labels: { reason: row.reason }, value: Number(row.total) })),
    },
    {
      name: 'stripe_webhook_unknown_price_events_total',
      help: 'Events that named a price the catalog does not know (note unknown_price).',
      type: 'counter',
      samples: [{ value: deliveries.reduce((sum, row) => sum + Number(row.unknown_price), 0) }],
    },
    {
      name: 'stripe_webhook_failed_events',
      help: 'Events in status failed, waiting for a redelivery or a reprocess.',
      type: 'gauge',
      samples: [{ value: g?.failed ?? 0 }],
    },
    {
      name: 'stripe_webhook_lag_seconds',
      help: `Seconds from the event's creation at Stripe to its receipt (received_at - stripe_created_at), over events received in the last ${LAG_WINDOW_SECONDS} s.`,
      type: 'gauge',
      samples: [
        ...optional(g?.p50, { quantile: '0.5' }),
        ...optional(g?.p90, { quantile: '0.9' }),
        ...optional(g?.p99, { quantile: '0.99' }),
        ...optional(g?.max, { quantile: '1' }),
      ],
    },
    {
      name: 'stripe_webhook_last_received_timestamp_seconds',
      help: 'Unix time of the newest event received.',
      type: 'gauge',
      samples: optional(g?.last_received),
    },
    {
      name: 'stripe_reconcile_cursor_age_seconds',
      help: 'Age of the reconciliation cursor: every event created before it has been handled.',
      type: 'gauge',
      samples: optional(g?.cursor_age),
    },
    {
      name: 'stripe_sync_last_drift_subscriptions',
      help: 'Subscriptions that differed from Stripe in the last finished sync run.',
      type: 'gauge',
      samples: optional(syncDrift),
    },
    {
      name: 'stripe_monitor_alert_firing',
      help: 'Alert conditions as the last monitor run found them (1 firing, 0 clear).',
      type: 'gauge',
      samples: alerts.map((row) => ({ labels: { alert: row.name }, value: row.firing ? 1 : 0 })),
    },
  ];
}
