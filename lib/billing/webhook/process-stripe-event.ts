import type Stripe from 'stripe';
import { invalidateFeatureCache } from '../../cache/feature-cache';
import { getPrisma } from '../../db/client';
import { Prisma } from '../../db/generated/client';
import { runStatement, type SqlTransaction, withTransaction } from '../../db/sql-transaction';
import { expectedLivemode } from '../../env';
import { errorMessage, logger } from '../../logger';
import { dispatchStripeEvent, HANDLED_EVENT_TYPES, singleStatementEffect } from './handlers/index';
import { userNamedByEvent } from './event-fields';
import { type Claim, type ClaimAndApply, claimAndApplyQuery, claimEventQuery, finishEventQuery, objectIdOf, recordFailureQuery } from './event-store';
import { WebhookProcessingError } from './webhook-errors';

export type ProcessStatus = 'processed' | 'already_processed' | 'ignored' | 'stale';

export type ProcessResult = { status: ProcessStatus; userId: string | null };

type ProcessStripeEventOptions = {
  event: Stripe.Event;
  /** The body exactly as received, stored as the event's payload. */
  payload: string;
};

const MAX_ERROR_LENGTH = 1_000;

function ignoreNote(event: Stripe.Event): string | null | undefined {
  if (event.livemode !== expectedLivemode()) return 'livemode_mismatch';
  if (!HANDLED_EVENT_TYPES.has(event.type)) return null;
  return undefined;
}

async function claimEvent(tx: SqlTransaction, event: Stripe.Event, payload: string, note: string | null | undefined, userId: string | null): Promise<Claim> {
  const [claim] = await tx.query<Claim>(claimEventQuery(event, payload, note, userId));
  if (!claim) throw new Error(`Event ${event.id} could not be recorded`);
  return claim;
}

/**
 * The common case in one round trip: a new (or duplicate) event that is ignored, or whose effect is a
 * single statement. Returns null when the event has a `failed` row to retry, or no one-statement
 * effect: the caller takes the transaction path.
 */
async function processInOneStatement(event: Stripe.Event, payload: string, note: string | null | undefined, namedUser: string | null): Promise<ProcessResult | null> {
  const effect = note === undefined ? singleStatementEffect(event) : null;
  if (note === undefined && !effect) return null;
  const [row] = await runStatement<ClaimAndApply>(claimAndApplyQuery(event, payload, note, namedUser, effect));
  if (!row) return null;
  if (!row.inserted) return { status: 'already_processed', userId: row.user_id };
  if (note !== undefined) return { status: 'ignored', userId: null };
  if (row.applied && row.applied_user_id === namedUser) return { status: 'processed', userId: namedUser };

  // Applied for another user than the event names, or stale: complete the event's audit columns.
  const userId = row.applied ? row.applied_user_id : (await subscriptionUser(objectIdOf(event))) ?? namedUser;
  await runStatement(finishEventQuery({ eventId: event.id, status: 'processed', note: row.applied ? null : 'stale', userId }));
  return { status: row.applied ? 'processed' : 'stale', userId };
}

async function subscriptionUser(subscriptionId: string | null): Promise<string | null> {
  const [row] = await runStatement<{ user_id: string | null }>(Prisma.sql`
    SELECT user_id FROM user_subscriptions WHERE stripe_subscription_id = ${subscriptionId}::text`);
  return row?.user_id ?? null;
}

/**
 * Records and applies one verified Stripe event in a single transaction, then clears the user's
 * feature cache after commit. Throws WebhookProcessingError (rolled back, recorded as `failed`) or
 * CacheInvalidationError (committed; the redelivery answers `already_processed` and clears again).
 */
export async function processStripeEvent({ event, payload }: ProcessStripeEventOptions): Promise<ProcessResult> {
  const note = ignoreNote(event);
  const namedUser = note === undefined ? userNamedByEvent(event) : null;
  let result: ProcessResult;
  try {
    result = (await processInOneStatement(event, payload, note, namedUser)) ?? await withTransaction(async (tx): Promise<ProcessResult> => {
      const claim = await claimEvent(tx, event, payload, note, namedUser);
      if (!claim.inserted && claim.status !== 'failed') return { status: 'already_processed', userId: claim.user_id };

      const outcome = note === undefined ? await dispatchStripeEvent(event, { tx }) : null;
      const status = outcome ? 'processed' : 'ignored';
      const finalNote = outcome?.status === 'stale' ? 'stale' : note ?? null;
      // The claim already wrote the final row when the event was new and applied for the user it names.
      if (!claim.inserted || (outcome && (outcome.status === 'stale' || outcome.userId !== namedUser))) {
        await tx.query(finishEventQuery({ eventId: event.id, status, note: finalNote, userId: outcome?.userId ?? null }));
      }
      return outcome ?? { status: 'ignored', userId: null };
    });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).trim().slice(0, MAX_ERROR_LENGTH);
    await getPrisma().$executeRaw(recordFailureQuery(event, payload, message)).catch((recordError: unknown) => {
      logger.error('Failure not recorded', { event_id: event.id, error: errorMessage(recordError) });
    });
    throw new WebhookProcessingError(event.id, error);
  }

  if (result.userId) await invalidateFeatureCache(result.userId);
  return result;
}
