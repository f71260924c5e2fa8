import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { getPrisma } from '../../db/client';
import { expectedLivemode } from '../../env';
import { errorMessage, logger } from '../../logger';
import { getStripe } from '../stripe-client';
import { HANDLED_EVENT_TYPES } from '../webhook/handlers/index';
import { processStripeEvent } from '../webhook/process-stripe-event';
import { listStripeEvents } from './list-stripe-events';
import { ReconcileConfigurationError, ReconcileRunError } from './reconcile-errors';
import {
  acquireReconcileLease,
  type ReconcileCursor,
  type ReconcileMode,
  releaseReconcileLease,
  saveReconcileCursor,
} from './reconcile-state';

const DAY_MS = 86_400_000;
/** Stripe keeps events for 30 days: the furthest back a run can look. */
export const EVENT_RETENTION_DAYS = 30;
/** A cursor older than this is warned about while its events can still be fetched. */
export const CURSOR_WARNING_DAYS = 25;
// A cursor event this close to the retention edge may be gone by the time Stripe is asked.
const CURSOR_SAFETY_MS = 60 * 60 * 1000;
// Listing from a moment rather than an event: start a little earlier (duplicates are harmless).
const WINDOW_MARGIN_MS = 5 * 60 * 1000;

export const ALREADY_RUNNING_WARNING = 'Another reconciliation run is in progress; this run did nothing';

export type ReconcileCounts = {
  fetched: number;
  processed: number;
  already_processed: number;
  stale: number;
  ignored: number;
  failed: number;
};

export type ReconcileResult = ReconcileCounts & { warning?: string };

type ReconcileOptions = {
  /** List from here instead of the stored cursor (capped at 30 days back). */
  since?: Date;
  /** The current time (tests move it). */
  now?: Date;
};

const zeroCounts = (): ReconcileCounts => ({ fetched: 0, processed: 0, already_processed: 0, stale: 0, ignored: 0, failed: 0 });

/** The warning for a cursor's age: events older than 30 days are gone from Stripe. */
export function cursorAgeWarning(coveredUntil: Date | null, now: Date): string | undefined {
  if (!coveredUntil) return undefined;
  const days = Math.floor((now.getTime() - coveredUntil.getTime()) / DAY_MS);
  if (now.getTime() - coveredUntil.getTime() > EVENT_RETENTION_DAYS * DAY_MS) {
    return `Cursor is ${days} days old: Stripe keeps events for ${EVENT_RETENTION_DAYS} days, so events created before ${new Date(now.getTime() - EVENT_RETENTION_DAYS * DAY_MS).toISOString()} were not reconciled and may be lost`;
  }
  if (now.getTime() - coveredUntil.getTime() > CURSOR_WARNING_DAYS * DAY_MS) {
    return `Cursor is ${days} days old: Stripe keeps events for ${EVENT_RETENTION_DAYS} days; run reconciliation before they expire`;
  }
  return undefined;
}

/** Where the listing starts: the cursor event while Stripe still has it, else a time window. */
function listingStart(cursor: ReconcileCursor, since: Date | undefined, now: Date): { cursorEventId: string | null; since: number } {
  const oldest = now.getTime() - EVENT_RETENTION_DAYS * DAY_MS;
  const from = (time: number) => Math.floor(Math.max(time, oldest) / 1000);
  if (since) return { cursorEventId: null, since: from(since.getTime()) };
  const usable = cursor.cursorCreatedAt && cursor.cursorCreatedAt.getTime() > oldest + CURSOR_SAFETY_MS;
  // Without a usable cursor event: from the last moment known to be covered (the first run: 30 days).
  const coveredFrom = cursor.coveredUntil ? cursor.coveredUntil.getTime() - WINDOW_MARGIN_MS : oldest;
  return { cursorEventId: usable ? cursor.cursorEventId : null, since: from(cursor.cursorCreatedAt?.getTime() ?? coveredFrom) };
}

type Progress = { counts: ReconcileCounts; cursor: ReconcileCursor; blocked: boolean };

/** One event through the webhook's own pipeline; a thrown error holds the cursor before the event. */
async function reconcileEvent(event: Stripe.Event, progress: Progress, save: (cursor: ReconcileCursor) => Promise<void>): Promise<void> {
  progress.counts.fetched += 1;
  try {
    const { status } = await processStripeEvent({ event, payload: JSON.stringify(event), source: 'reconcile' });
    progress.counts[status] += 1;
  } catch (error) {
    // Not recorded as done (database down, timeout, cache not cleared): the next run lists it again.
    progress.counts.failed += 1;
    progress.blocked = true;
    logger.error('Reconciliation event failed', { event_id: event.id, type: event.type, error: errorMessage(error) });
    return;
  }
  if (progress.blocked) return;
  const createdAt = new Date(event.created * 1000);
  progress.cursor = { cursorEventId: event.id, cursorCreatedAt: createdAt, coveredUntil: createdAt };
  await save(progress.cursor);
}

/**
 * Applies the events Stripe has and the app may have missed: lists them from Stripe's Events API
 * oldest first, from the stored cursor (at most 30 days back), and runs each through the same
 * pipeline as a webhook delivery (same idempotency and ordering rules). One run at a time per
 * mode, by a lease row; a second caller gets zero counts and a warning.
 *
 * Cursor rule: the cursor moves over every event whose outcome is recorded (processed, duplicate,
 * stale, ignored, or `failed` for good with its reason, for an administrator to reprocess). It
 * stops before the first event whose processing threw (a failure a retry can fix); later events of
 * the run are still applied, and the next run lists from there again, retrying that event.
 */
export async function reconcileStripeEvents({ since, now = new Date() }: ReconcileOptions = {}): Promise<ReconcileResult> {
  const stripe = getStripe();
  if (!stripe) throw new ReconcileConfigurationError("STRIPE_SECRET_KEY is not set: reconciliation reads Stripe's Events API");
  const mode: ReconcileMode = expectedLivemode() ? 'live' : 'test';
  const token = randomUUID();
  const stored = await acquireReconcileLease(mode, token);
  if (!stored) {
    logger.warn('Reconciliation skipped', { mode, reason: 'already_running' });
    return { ...zeroCounts(), warning: ALREADY_RUNNING_WARNING };
  }

  const prisma = getPrisma();
  const warning = cursorAgeWarning(stored.coveredUntil, now);
  const progress: Progress = { counts: zeroCounts(), cursor: stored, blocked: false };
  let runId: string | undefined;
  try {
    runId = (await prisma.stripeReconcileRun.create({ data: { mode, warning }, select: { id: true } })).id;
    const save = (cursor: ReconcileCursor) => saveReconcileCursor(mode, token, cursor);
    const start = listingStart(stored, since, now);
    for await (const event of listStripeEvents({ stripe, types: [...HANDLED_EVENT_TYPES], ...start })) {
      await reconcileEvent(event, progress, save);
    }
    // Listed to the end without a failure: everything up to the run's start is covered.
    if (!progress.blocked) await save({ ...progress.cursor, coveredUntil: now });
    await prisma.stripeReconcileRun.update({
      where: { id: runId },
      data: {
        status: 'completed',
        finishedAt: new Date(),
        ...runCounts(progress.counts),
        cursorEventId: progress.cursor.cursorEventId,
        cursorCreatedAt: progress.cursor.cursorCreatedAt,
      },
    });
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: without a run row the update fails, and that error is dropped as the skip would
    if (runId) {
      await prisma.stripeReconcileRun
        .update({
          where: { id: runId },
          data: {
            status: 'failed',
            finishedAt: new Date(),
            ...runCounts(progress.counts),
            cursorEventId: progress.cursor.cursorEventId,
            cursorCreatedAt: progress.cursor.cursorCreatedAt,
            error: errorMessage(error).slice(0, 1_000),
          },
        })
        .catch(() => undefined);
    }
    throw new ReconcileRunError(error);
  } finally {
    await releaseReconcileLease(mode, token).catch((error: unknown) =>
      logger.error('Reconciliation lease not released', { error: errorMessage(error) }),
    );
  }

  const result: ReconcileResult = warning ? { ...progress.counts, warning } : { ...progress.counts };
  logger.info('Reconciliation finished', { mode, ...progress.counts, cursor_event_id: progress.cursor.cursorEventId, warning });
  return result;
}

function runCounts(counts: ReconcileCounts) {
  return {
    fetched: counts.fetched,
    processed: counts.processed,
    alreadyProcessed: counts.already_processed,
    stale: counts.stale,
    ignored: counts.ignored,
    failed: counts.failed,
  };
}
