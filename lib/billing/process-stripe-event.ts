import type Stripe from 'stripe';
import { invalidateFeatureCache } from '../cache/feature-cache';
import { getPrisma } from '../db/client';
import { type SqlTransaction, withTransaction } from '../db/sql-transaction';
import { expectedLivemode } from '../env';
import { logError } from '../logger';
import { dispatchStripeEvent, HANDLED_EVENT_TYPES } from './dispatch-stripe-event';
import { userNamedByEvent } from './stripe-objects';
import { type Claim, claimEventQuery, finishEventQuery, recordFailureQuery } from './event-queries';
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
 * Records and applies one verified Stripe event in a single transaction, then clears the user's
 * feature cache after commit. Throws WebhookProcessingError (rolled back, recorded as `failed`) or
 * CacheInvalidationError (committed; the redelivery answers `already_processed` and clears again).
 */
export async function processStripeEvent({ event, payload }: ProcessStripeEventOptions): Promise<ProcessResult> {
  const note = ignoreNote(event);
  const namedUser = note === undefined ? userNamedByEvent(event) : null;
  let result: ProcessResult;
  try {
    result = await withTransaction(async (tx): Promise<ProcessResult> => {
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
      logError(`Failure of ${event.id} not recorded: ${recordError instanceof Error ? recordError.message.split('\n')[0] : String(recordError)}`);
    });
    throw new WebhookProcessingError(event.id, error);
  }

  if (result.userId) await invalidateFeatureCache(result.userId);
  return result;
}
