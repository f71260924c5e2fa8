import { env } from '../env';
import { Prisma } from '../db/generated/client';
import { query } from '../db/sql';

export type PruneOptions = { retentionDays?: number; batchSize?: number; pauseMs?: number; budgetMs?: number; now?: Date };
export type PruneResult = { deleted: number; batches: number; more: boolean };

/**
 * Deletes events received more than `retentionDays` ago, except `failed` ones (not done yet) and any
 * not yet in the hourly counts (a count running elsewhere, or none run yet), oldest first, `batchSize`
 * ids per statement: each batch is its own short transaction and skips rows another transaction holds,
 * so a delivery never waits on it; a pause between batches leaves the database's CPU and disk to
 * deliveries. Stops after `budgetMs`; `more` says the next run continues.
 */
export async function pruneWebhookEvents({
  retentionDays = env.STRIPE_EVENT_RETENTION_DAYS,
  batchSize = 1_000,
  pauseMs = 100,
  budgetMs = 20_000,
  now = new Date(),
}: PruneOptions = {}): Promise<PruneResult> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const started = Date.now();
  const result: PruneResult = { deleted: 0, batches: 0, more: false };
  for (;;) {
    const [batch] = await query<{ deleted: number }>(Prisma.sql`
      WITH gone AS (
        DELETE FROM stripe_webhook_events WHERE id IN (
          SELECT id FROM stripe_webhook_events
          WHERE received_at < ${cutoff} AND status <> 'failed'
            -- Only events the hourly counts already hold, so no metrics counter ever loses one.
            AND received_at < (SELECT counted_until FROM stripe_monitor_state WHERE id = 1)
          ORDER BY received_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
        RETURNING 1)
      SELECT count(*)::int AS deleted FROM gone`);
    const deleted = batch?.deleted ?? 0;
    result.deleted += deleted;
    result.batches += 1;
    if (deleted < batchSize) return result;
    if (Date.now() - started > budgetMs) return { ...result, more: true };
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
