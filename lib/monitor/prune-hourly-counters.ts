import { Prisma } from '../db/generated/client';
import { transaction } from '../db/sql';

/** Hourly counters (duplicates, rejections, event counts) are kept this long. */
export const COUNTER_RETENTION_DAYS = 400;

/**
 * Deletes hourly counter rows older than 400 days. Duplicates and rejections are folded into their
 * row at hour '-infinity' first, so the metrics' totals never go down; the event counts already hold
 * their running totals there. The admin chart and counters read windows of days, never that row.
 */
export async function pruneHourlyCounters(now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - COUNTER_RETENTION_DAYS * 86_400_000);
  return transaction(async (run) => {
    // One after another: a transaction's statements share its one connection.
    const results = [
      await run<{ rows: number }>(Prisma.sql`
        WITH gone AS (DELETE FROM stripe_webhook_duplicates WHERE hour < ${cutoff} AND hour > '-infinity' RETURNING count),
        folded AS (
          INSERT INTO stripe_webhook_duplicates AS d (hour, count) SELECT '-infinity', sum(count) FROM gone HAVING count(*) > 0
          ON CONFLICT (hour) DO UPDATE SET count = d.count + EXCLUDED.count)
        SELECT count(*)::int AS rows FROM gone`),
      await run<{ rows: number }>(Prisma.sql`
        WITH gone AS (DELETE FROM stripe_webhook_rejections WHERE hour < ${cutoff} AND hour > '-infinity' RETURNING reason, count),
        folded AS (
          INSERT INTO stripe_webhook_rejections AS r (hour, reason, count) SELECT '-infinity', reason, sum(count) FROM gone GROUP BY reason
          ON CONFLICT (hour, reason) DO UPDATE SET count = r.count + EXCLUDED.count)
        SELECT count(*)::int AS rows FROM gone`),
      await run<{ rows: number }>(Prisma.sql`
        WITH gone AS (DELETE FROM stripe_webhook_event_counts WHERE hour < ${cutoff} AND hour > '-infinity' RETURNING 1)
        SELECT count(*)::int AS rows FROM gone`),
    ];
    return results.reduce((sum, [row]) => sum + (row?.rows ?? 0), 0);
  });
}
