import { Prisma } from '../db/generated/client';
import { query, transaction } from '../db/sql';

// The outcome an event row counts under: a processed event noted `stale` changed nothing.
export const EVENT_OUTCOME_SQL = Prisma.sql`CASE WHEN status = 'processed' AND note = 'stale' THEN 'stale' ELSE status END`;

/**
 * Adds the events of every hour that ended (at least five minutes ago) since the last count to
 * stripe_webhook_event_counts: one row per hour, type and outcome, and the running totals at hour
 * '-infinity' that the metrics read. One run at a time counts (the state row is locked with SKIP
 * LOCKED: a second run returns at once); returns the hours counted.
 */
export async function countWebhookEvents(): Promise<number> {
  await query(Prisma.sql`INSERT INTO stripe_monitor_state (id) VALUES (1) ON CONFLICT (id) DO NOTHING`);
  return transaction(async (run) => {
    const [state] = await run<{ counted_until: Date | null; until: Date }>(Prisma.sql`
      SELECT counted_until, date_trunc('hour', now() - interval '5 minutes') AS until
      FROM stripe_monitor_state WHERE id = 1 FOR UPDATE SKIP LOCKED`);
    if (!state || (state.counted_until && state.counted_until >= state.until)) return 0;
    const from = state.counted_until ?? new Date(0);
    const hours = await run<{ hours: number }>(Prisma.sql`
      WITH counted AS (
        SELECT date_trunc('hour', received_at) AS hour, type, ${EVENT_OUTCOME_SQL} AS outcome,
               count(*) AS count, count(*) FILTER (WHERE note = 'unknown_price') AS unknown_price
        FROM stripe_webhook_events
        WHERE received_at >= ${from} AND received_at < ${state.until}
        GROUP BY 1, 2, 3
      ),
      hourly AS (
        INSERT INTO stripe_webhook_event_counts AS c (hour, type, outcome, count, unknown_price)
        SELECT hour, type, outcome, count, unknown_price FROM counted
        ON CONFLICT (hour, type, outcome) DO UPDATE SET count = c.count + EXCLUDED.count, unknown_price = c.unknown_price + EXCLUDED.unknown_price
      ),
      totals AS (
        INSERT INTO stripe_webhook_event_counts AS c (hour, type, outcome, count, unknown_price)
        SELECT '-infinity', type, outcome, sum(count), sum(unknown_price) FROM counted GROUP BY type, outcome
        ON CONFLICT (hour, type, outcome) DO UPDATE SET count = c.count + EXCLUDED.count, unknown_price = c.unknown_price + EXCLUDED.unknown_price
      )
      SELECT count(DISTINCT hour)::int AS hours FROM counted`);
    await run(Prisma.sql`UPDATE stripe_monitor_state SET counted_until = ${state.until}, updated_at = now() WHERE id = 1`);
    return hours[0]?.hours ?? 0;
  });
}
