import { getPrisma } from '../../db/client';
import { Prisma } from '../../db/generated/client';

// The reconciliation cursor and the lease that lets one run at a time use it. Single statements
// only: nothing is held on a connection between them, so this works behind a transaction-mode pooler.

/** How long a run holds the lease without saving progress; a crashed run frees it after this. */
export const LEASE_SECONDS = 300;

export type ReconcileMode = 'test' | 'live';

export type ReconcileCursor = { cursorEventId: string | null; cursorCreatedAt: Date | null; coveredUntil: Date | null };

export class ReconcileLeaseLostError extends Error {
  constructor() {
    super(`Reconciliation lease lost (no progress saved for ${LEASE_SECONDS} s); another run took over`);
    this.name = 'ReconcileLeaseLostError';
  }
}

/** Takes the mode's lease unless another run holds it; returns the stored cursor, or null when busy. */
export async function acquireReconcileLease(mode: ReconcileMode, token: string): Promise<ReconcileCursor | null> {
  const rows = await getPrisma().$queryRaw<
    { cursor_event_id: string | null; cursor_created_at: Date | null; covered_until: Date | null }[]
  >(Prisma.sql`
    INSERT INTO stripe_reconcile_state AS s (mode, locked_until, lock_token)
    VALUES (${mode}, now() + make_interval(secs => ${LEASE_SECONDS}), ${token})
    ON CONFLICT (mode) DO UPDATE SET locked_until = EXCLUDED.locked_until, lock_token = EXCLUDED.lock_token, updated_at = now()
    WHERE s.locked_until IS NULL OR s.locked_until < now()
    RETURNING s.cursor_event_id, s.cursor_created_at, s.covered_until`);
  const [row] = rows;
  return row ? { cursorEventId: row.cursor_event_id, cursorCreatedAt: row.cursor_created_at, coveredUntil: row.covered_until } : null;
}

/** Stores the cursor and extends the lease; throws when another run has taken the lease meanwhile. */
export async function saveReconcileCursor(mode: ReconcileMode, token: string, cursor: ReconcileCursor): Promise<void> {
  const updated = await getPrisma().$executeRaw(Prisma.sql`
    UPDATE stripe_reconcile_state
    SET cursor_event_id = ${cursor.cursorEventId}, cursor_created_at = ${cursor.cursorCreatedAt},
        covered_until = ${cursor.coveredUntil}, locked_until = now() + make_interval(secs => ${LEASE_SECONDS}), updated_at = now()
    WHERE mode = ${mode} AND lock_token = ${token}`);
  if (updated !== 1) throw new ReconcileLeaseLostError();
}

export async function releaseReconcileLease(mode: ReconcileMode, token: string): Promise<void> {
  await getPrisma().$executeRaw(Prisma.sql`
    UPDATE stripe_reconcile_state SET locked_until = NULL, lock_token = NULL, updated_at = now()
    WHERE mode = ${mode} AND lock_token = ${token}`);
}
