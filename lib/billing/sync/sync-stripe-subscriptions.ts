import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { invalidateFeatureCache } from '../../cache/feature-cache';
import { getPrisma } from '../../db/client';
import { Prisma } from '../../db/generated/client';
import type { SqlRunner } from '../../db/sql';
import { expectedLivemode } from '../../env';
import { errorMessage, logger } from '../../logger';
import { getStripe } from '../stripe-client';
import { EventShapeError } from '../webhook/event-fields';
import { applySubscriptionSnapshot, type SnapshotResult } from './apply-subscription-snapshot';
import { listStripeSubscriptions } from './list-stripe-subscriptions';
import { SyncConfigurationError, SyncRunError } from './sync-errors';
import { SNAPSHOT_OUTCOME, SYNC_RUN_STATUS } from './sync-statuses';
import { acquireSyncLease, extendSyncLeaseCte, releaseSyncLease, SyncLeaseLostError, type SyncMode } from './sync-state';

export const SYNC_ALREADY_RUNNING_WARNING = 'Another sync run is in progress; this run did nothing';

export type SyncCounts = { fetched: number; created: number; updated: number; unchanged: number; drift: number; unlinked: number };

export type SyncResult = SyncCounts & { warning?: string };

type SyncOptions = {
  /** Compare and report only: nothing applied, no cursor to continue from. */
  dryRun?: boolean;
  /** The clock of each page's fetch (tests move it). */
  now?: () => number;
};

const zeroCounts = (): SyncCounts => ({ fetched: 0, created: 0, updated: 0, unchanged: 0, drift: 0, unlinked: 0 });

type Run = { id: string; mode: SyncMode; token: string; dryRun: boolean; counts: SyncCounts; failed: number };

/** Where this run starts: after the last subscription of a run that stopped part-way, if the last run did. */
async function resumePoint(mode: SyncMode, dryRun: boolean): Promise<{ runId: string; cursor: string } | null> {
  if (dryRun) return null;
  const last = await getPrisma().stripeSyncRun.findFirst({
    where: { mode, dryRun: false },
    orderBy: { startedAt: 'desc' },
    select: { id: true, status: true, cursorSubscriptionId: true },
  });
  if (!last?.cursorSubscriptionId || last.status === SYNC_RUN_STATUS.completed) return null;
  // It holds no lease (this run has it): it was killed, or it failed; either way it is over.
  await getPrisma().stripeSyncRun.updateMany({
    where: { id: last.id, status: SYNC_RUN_STATUS.running },
    data: { status: SYNC_RUN_STATUS.interrupted, finishedAt: new Date() },
  });
  return { runId: last.id, cursor: last.cursorSubscriptionId };
}

function countResult(counts: SyncCounts, result: SnapshotResult): void {
  // A stale snapshot changed nothing: a newer event had already set the row.
  counts[result.outcome === SNAPSHOT_OUTCOME.stale ? SNAPSHOT_OUTCOME.unchanged : result.outcome] += 1;
  if (result.drift.length > 0) counts.drift += 1;
  if (!result.userId) counts.unlinked += 1;
}

const AUDITED = new Set<string>([SNAPSHOT_OUTCOME.created, SNAPSHOT_OUTCOME.updated, SNAPSHOT_OUTCOME.stale]);

/**
 * In the snapshot's transaction: the audit row (a change a snapshot made, or its being stale), the
 * drift rows, the run's counts and cursor, and the lease extended; no lease, nothing committed.
 */
function recordSnapshot(run: Run, observedAt: number) {
  return async (sql: SqlRunner, result: SnapshotResult) => {
    countResult(run.counts, result);
    const audit = !run.dryRun && AUDITED.has(result.outcome);
    const changes = Object.fromEntries(result.changes.map(({ field, stored, stripe }) => [field, { stored, stripe }]));
    const [saved] = await sql<{ id: string }>(Prisma.sql`
      WITH audit AS (
        INSERT INTO stripe_subscription_changes (stripe_subscription_id, user_id, source, outcome, note, changes, run_id, observed_at)
        SELECT ${result.subscriptionId}::text, ${result.userId}::text, 'sync', ${result.outcome}::text, ${result.note}::text,
          ${JSON.stringify(changes)}::jsonb, ${run.id}::text, to_timestamp(${observedAt}::bigint)
        WHERE ${audit}::boolean
      ), drift AS (
        INSERT INTO stripe_sync_drift (run_id, stripe_subscription_id, user_id, field, stored, stripe)
        SELECT ${run.id}::text, ${result.subscriptionId}::text, ${result.userId}::text, d.field, d.stored, d.stripe
        FROM unnest(${result.drift.map((d) => d.field)}::text[], ${result.drift.map((d) => d.stored)}::text[], ${result.drift.map((d) => d.stripe)}::text[]) AS d(field, stored, stripe)
      ), ${extendSyncLeaseCte(run.mode, run.token)}
      UPDATE stripe_sync_runs SET
        fetched = ${run.counts.fetched}, created = ${run.counts.created}, updated = ${run.counts.updated}, unchanged = ${run.counts.unchanged},
        drift = ${run.counts.drift}, unlinked = ${run.counts.unlinked}, failed = ${run.failed},
        cursor_subscription_id = ${run.dryRun ? null : result.subscriptionId}::text
      FROM sync_lease WHERE stripe_sync_runs.id = ${run.id}::text
      RETURNING stripe_sync_runs.id`);
    if (!saved) throw new SyncLeaseLostError();
  };
}

async function syncPages(stripe: Stripe, run: Run, startingAfter: string | null, now: () => number): Promise<void> {
  for await (const { subscriptions, observedAt } of listStripeSubscriptions({ stripe, startingAfter, now })) {
    for (const subscription of subscriptions) {
      run.counts.fetched += 1;
      try {
        const result = await applySubscriptionSnapshot({
          subscription,
          observedAt,
          dryRun: run.dryRun,
          record: recordSnapshot(run, observedAt),
        });
        if (!run.dryRun && result.userId && (result.outcome === SNAPSHOT_OUTCOME.created || result.outcome === SNAPSHOT_OUTCOME.updated))
          await invalidateFeatureCache(result.userId);
      } catch (error) {
        // Any other error ends the run, whose row keeps the counts of the last snapshot committed.
        if (!(error instanceof EventShapeError)) throw error;
        // A subscription whose fields this app cannot read is skipped (and logged), not retried forever.
        run.failed += 1;
        logger.error('Sync skipped a subscription', { subscription_id: subscription.id, error: error.message });
      }
    }
  }
}

/**
 * Reads every subscription of the Stripe account and applies each as a snapshot (see
 * applySubscriptionSnapshot), recording drift and what changed. One run at a time per mode, by a
 * lease row; a second caller gets zero counts and a warning. A run stopped part-way (a function
 * timeout) leaves its cursor, the last subscription applied; the next run continues after it.
 */
export async function syncStripeSubscriptions({ dryRun = false, now = Date.now }: SyncOptions = {}): Promise<SyncResult> {
  const stripe = getStripe();
  if (!stripe) throw new SyncConfigurationError("STRIPE_SECRET_KEY is not set: sync reads Stripe's subscriptions");
  const mode: SyncMode = expectedLivemode() ? 'live' : 'test';
  const token = randomUUID();
  if (!(await acquireSyncLease(mode, token))) {
    logger.warn('Sync skipped', { mode, reason: 'already_running' });
    return { ...zeroCounts(), warning: SYNC_ALREADY_RUNNING_WARNING };
  }

  const prisma = getPrisma();
  let run: Run | undefined;
  try {
    const resume = await resumePoint(mode, dryRun);
    const row = await prisma.stripeSyncRun.create({
      data: { mode, dryRun, resumedFrom: resume?.runId, cursorSubscriptionId: resume?.cursor },
      select: { id: true },
    });
    run = { id: row.id, mode, token, dryRun, counts: zeroCounts(), failed: 0 };
    await syncPages(stripe, run, resume?.cursor ?? null, now);
    await prisma.stripeSyncRun.update({
      where: { id: run.id },
      data: { status: SYNC_RUN_STATUS.completed, finishedAt: new Date(), ...run.counts, failed: run.failed },
    });
    logger.info('Sync finished', { mode, dry_run: dryRun, ...run.counts, failed: run.failed });
    return { ...run.counts };
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: without a run row the update fails, and that error is dropped as the skip would
    if (run) {
      await prisma.stripeSyncRun
        .update({
          where: { id: run.id },
          data: { status: SYNC_RUN_STATUS.failed, finishedAt: new Date(), error: errorMessage(error).slice(0, 1_000) },
        })
        .catch(() => undefined);
    }
    throw new SyncRunError(error);
  } finally {
    await releaseSyncLease(mode, token).catch((error: unknown) => logger.error('Sync lease not released', { error: errorMessage(error) }));
  }
}
