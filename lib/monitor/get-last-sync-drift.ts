import { expectedLivemode } from '../env';
import { Prisma } from '../db/generated/client';
import { query } from '../db/sql';

/**
 * The drift the last finished subscription sync of the configured mode found (`stripe_sync_runs.drift`),
 * or null when no sync has run or that table is absent from this database.
 */
export async function getLastSyncDrift(): Promise<number | null> {
  const [table] = await query<{ exists: boolean }>(Prisma.sql`SELECT to_regclass('stripe_sync_runs') IS NOT NULL AS exists`);
  if (!table?.exists) return null;
  try {
    const [run] = await query<{ drift: number }>(Prisma.sql`
      SELECT drift::int AS drift FROM stripe_sync_runs WHERE finished_at IS NOT NULL AND mode = ${expectedLivemode() ? 'live' : 'test'}
      ORDER BY started_at DESC LIMIT 1`);
    return run ? run.drift : null;
  } catch {
    // A sync run table of another shape: no figure rather than a failed scrape.
    return null;
  }
}
