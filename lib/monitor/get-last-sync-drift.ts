import { expectedLivemode } from '../env';
import { Prisma } from '../db/generated/client';
import { query } from '../db/sql';

/** The drift the last finished subscription sync of the configured mode found, or null when none has run. */
export async function getLastSyncDrift(): Promise<number | null> {
  const [run] = await query<{ drift: number }>(Prisma.sql`
    SELECT drift FROM stripe_sync_runs WHERE finished_at IS NOT NULL AND mode = ${expectedLivemode() ? 'live' : 'test'}
    ORDER BY started_at DESC LIMIT 1`);
  return run ? run.drift : null;
}
