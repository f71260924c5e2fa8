import { getPrisma } from '../../db/client';
import { Prisma } from '../../db/generated/client';

// The sync lease: one run at a time per mode (test/live key) across every instance. Single
// statements only, nothing held on a connection between them: safe behind a transaction-mode pooler.

/** How long a run holds the lease without applying a subscription; a killed run frees it after this. */
export const SYNC_LEASE_SECONDS = 120;

export type SyncMode = 'test' | 'live';

export class SyncLeaseLostError extends Error {
  constructor() {
    super(`Sync lease lost (no progress saved for ${SYNC_LEASE_SECONDS} s); another run took over`);
    this.name = 'SyncLeaseLostError';
  }
}

/** Takes the mode's lease unless another run holds it; false when busy. */
export async function acquireSyncLease(mode: SyncMode, token: string): Promise<boolean> {
  const rows = await getPrisma().$queryRaw<{ mode: string }[]>(Prisma.sql`
    INSERT INTO stripe_sync_state AS s (mode, locked_until, lock_token)
    VALUES (${mode}, now() + make_interval(secs => ${SYNC_LEASE_SECONDS}), ${token})
    ON CONFLICT (mode) DO UPDATE SET locked_until = EXCLUDED.locked_until, lock_token = EXCLUDED.lock_token, updated_at = now()
    WHERE s.locked_until IS NULL OR s.locked_until < now()
    RETURNING s.mode`);
  return rows.length === 1;
}

/** A CTE (`sync_lease`) that extends the lease; it returns no row when another run has taken it. */
export function extendSyncLeaseCte(mode: SyncMode, token: string): Prisma.Sql {
  return Prisma.sql`sync_lease AS (
    UPDATE stripe_sync_state SET locked_until = now() + make_interval(secs => ${SYNC_LEASE_SECONDS}), updated_at = now()
    WHERE mode = ${mode}::text AND lock_token = ${token}::text
    RETURNING mode)`;
}

export async function releaseSyncLease(mode: SyncMode, token: string): Promise<void> {
  await getPrisma().$executeRaw(Prisma.sql`
    UPDATE stripe_sync_state SET locked_until = NULL, lock_token = NULL, updated_at = now()
    WHERE mode = ${mode} AND lock_token = ${token}`);
}
