import type Stripe from 'stripe';
import { invalidateFeatureCache } from '../../cache/feature-cache';
import { Prisma } from '../../db/generated/client';
import { query, sqlState, transaction, violatedConstraint } from '../../db/sql';
import { expectedLivemode } from '../../env';
import { errorMessage, logger } from '../../logger';
import { EventShapeError } from './event-fields';
import { EVENT_STATUS, type EventStatus, type ProcessStatus } from './event-statuses';
import {
  countDuplicateQuery,
  type EventRecord,
  type EventRow,
  insertEventQuery,
  lockEventQuery,
  newEventGate,
  recordFailureQuery,
  reopenEventQuery,
} from './event-store';
import { effectOfEvent } from './handlers';
import { WebhookProcessingError } from './webhook-errors';

/** What became of the event, the user it concerns, and which processing attempt this was. */
export type ProcessResult = { status: ProcessStatus; userId: string | null; attempt: number };

/** Who runs the event: Stripe's delivery, the Events API replay, or an administrator's replay. */
export type EventSource = 'webhook' | 'reconcile' | 'admin';

type ProcessStripeEventOptions = {
  event: Stripe.Event;
  /** The event's JSON, stored as its payload. */
  payload: string;
  source?: EventSource;
};

const MAX_ERROR_LENGTH = 1_000;
const EVENTS_PRIMARY_KEY = 'stripe_webhook_events_pkey';
const USERS_CUSTOMER_KEY = 'users_stripe_customer_id_key';
const NO_EFFECT = { ctes: [], userId: Prisma.sql`NULL::text` };

/** How the event is recorded: applied by its handler, or `ignored` (with the reason as its note). */
function recordOf(event: Stripe.Event, payload: string, gate: Prisma.Sql): EventRecord {
  if (event.livemode !== expectedLivemode()) {
    return { event, payload, status: 'ignored', effect: { ...NO_EFFECT, note: Prisma.sql`'livemode_mismatch'` } };
  }
  const effect = effectOfEvent(event, gate);
  return effect
    ? { event, payload, status: 'processed', effect }
    : { event, payload, status: 'ignored', effect: { ...NO_EFFECT, note: Prisma.sql`NULL::text` } };
}

function resultOf(row: EventRow): ProcessResult {
  const status = row.status === 'ignored' ? 'ignored' : row.note === 'stale' ? 'stale' : 'processed';
  return { status, userId: row.user_id, attempt: row.attempts };
}

/** The one statement that records a new event and applies it (also what the benchmark's ceiling runs). */
export function newEventQuery(event: Stripe.Event, payload: string): Prisma.Sql {
  const gate = newEventGate(event.id);
  return insertEventQuery(recordOf(event, payload, gate), gate);
}

/** A new event, recorded and applied in one statement; null when its id is already recorded. */
async function recordNewEvent(event: Stripe.Event, payload: string): Promise<ProcessResult | null> {
  try {
    const [row] = await query<EventRow>(newEventQuery(event, payload));
    return row ? resultOf(row) : null;
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: only a unique violation (23505) names the primary key; the state check cannot change the answer
    if (sqlState(error) === '23505' && violatedConstraint(error) === EVENTS_PRIMARY_KEY) return null;
    throw error;
  }
}

/**
 * An event whose id is recorded. A redelivery of a handled event is counted and answered in one
 * statement. Anything else (a failed event, an ignored one an administrator replays, a replay from
 * reconciliation) goes under its row lock, so concurrent deliveries queue and only the first reopens it.
 */
async function processRecordedEvent(event: Stripe.Event, payload: string, source: EventSource): Promise<ProcessResult> {
  const reopenable: EventStatus[] = source === 'admin' ? [EVENT_STATUS.failed, EVENT_STATUS.ignored] : [EVENT_STATUS.failed];
  const countsAsDelivery = source === 'webhook';
  const alreadyProcessed = (row: EventRow): ProcessResult => ({ status: 'already_processed', userId: row.user_id, attempt: row.attempts });
  // Stryker disable next-line BlockStatement,ConditionalExpression: speed only; the locked path below gives the same answer and count
  if (countsAsDelivery) {
    const [duplicate] = await query<EventRow>(countDuplicateQuery(event.id, reopenable));
    if (duplicate) return alreadyProcessed(duplicate);
  }

  return transaction(async (run) => {
    const [row] = await run<EventRow>(lockEventQuery(event.id));
    if (!row) throw new Error(`Event ${event.id} is neither new nor recorded`);
    if (!reopenable.includes(row.status)) {
      // Handled already, or reopened by another delivery while this one waited for the lock.
      if (countsAsDelivery) await run(countDuplicateQuery(event.id, reopenable));
      return alreadyProcessed(row);
    }
    const [reopened] = await run<EventRow>(reopenEventQuery(recordOf(event, payload, Prisma.sql`true`)));
    if (!reopened) throw new Error(`Event ${event.id} could not be reopened`);
    return resultOf(reopened);
  });
}

/**
 * Two checkouts moving one customer at once: the second statement's snapshot missed the first's
 * link, so its own link hits the unique customer id. Transient: a second run sees the first and moves it.
 */
function isConcurrentRelink(error: unknown): boolean {
  return sqlState(error) === '23505' && violatedConstraint(error) === USERS_CUSTOMER_KEY;
}

/** A failure no retry of the same event can fix: its fields do not parse, or PostgreSQL refuses its data. */
function isPermanent(error: unknown): boolean {
  const state = sqlState(error);
  return error instanceof EventShapeError || state?.startsWith('22') === true || state?.startsWith('23') === true;
}

/** Records a failed attempt after the rollback, when the database allows; returns the attempt number. */
async function recordFailure(event: Stripe.Event, payload: string, error: unknown): Promise<number> {
  const message = (error instanceof Error ? error.message : String(error)).trim().slice(0, MAX_ERROR_LENGTH) || 'Unknown error';
  try {
    const [row] = await query<{ attempts: number }>(recordFailureQuery(event, payload, message));
    return row?.attempts ?? 1;
  } catch (recordError) {
    logger.error('Failure not recorded', { event_id: event.id, error: errorMessage(recordError) });
    return 1;
  }
}

/**
 * The pipeline every event runs through (webhook delivery, reconciliation, admin replay): record
 * the event (its id is the idempotency key) and apply its handler atomically, then clear the user's
 * feature cache after commit.
 * - A failure a retry can fix (database down, timeout) is recorded `failed` and thrown as
 *   WebhookProcessingError: the webhook answers 500 and Stripe's retry runs it again.
 * - A unique violation on the customer id from two concurrent re-links is run once more before deciding.
 * - A permanent one (fields that do not parse, data PostgreSQL refuses) is recorded `failed` with
 *   its reason and returned as `failed`: the webhook answers 200 so Stripe does not retry a hopeless
 *   delivery for three days; an administrator reprocesses it once the cause is fixed.
 * - A cache failure after commit throws CacheInvalidationError (the redelivery clears again).
 */
export async function processStripeEvent({ event, payload, source = 'webhook' }: ProcessStripeEventOptions): Promise<ProcessResult> {
  let result: ProcessResult;
  try {
    const recordAndApply = async () => (await recordNewEvent(event, payload)) ?? (await processRecordedEvent(event, payload, source));
    // Nothing was written by the failed run (one statement or one transaction), so the retry starts clean.
    result = await recordAndApply().catch((error: unknown) => {
      if (isConcurrentRelink(error)) return recordAndApply();
      throw error;
    });
  } catch (error) {
    const attempt = await recordFailure(event, payload, error);
    if (!isPermanent(error)) throw new WebhookProcessingError(event.id, error);
    return { status: 'failed', userId: null, attempt };
  }
  if (result.userId) await invalidateFeatureCache(result.userId);
  return result;
}
