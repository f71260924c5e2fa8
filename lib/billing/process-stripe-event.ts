import type Stripe from 'stripe';
import { invalidateFeatureCache } from '../cache/feature-cache';
import { getPrisma, type TransactionClient } from '../db/client';
import { expectedLivemode } from '../env';
import { logError } from '../logger';
import { dispatchStripeEvent, HANDLED_EVENT_TYPES } from './dispatch-stripe-event';
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

type Claim = { inserted: boolean; status: string; user_id: string | null };

/**
 * Inserts the event row: the primary key is the idempotency key. A concurrent delivery of the same
 * id waits on the key until this transaction ends, then sees the row; a `failed` row is claimed for
 * another attempt under its row lock, so two redeliveries of a failed event still apply it once.
 */
async function claimEvent(tx: TransactionClient, event: Stripe.Event, payload: string, note: string | null | undefined): Promise<Claim> {
  const objectId = 'id' in event.data.object && typeof event.data.object.id === 'string' ? event.data.object.id : null;
  const rows = await tx.$queryRaw<Claim[]>`
    INSERT INTO stripe_webhook_events AS e
      (id, type, api_version, livemode, stripe_created_at, status, note, attempts, object_id, payload, processed_at)
    VALUES (
      ${event.id}, ${event.type}, ${event.api_version ?? null}, ${event.livemode}, to_timestamp(${event.created}),
      ${note === undefined ? 'processed' : 'ignored'}, ${note ?? null}, 1, ${objectId}, ${payload}::jsonb, now()
    )
    ON CONFLICT (id) DO UPDATE SET
      attempts = e.attempts + (e.status = 'failed')::int,
      duplicate_deliveries = e.duplicate_deliveries + (e.status <> 'failed')::int
    RETURNING (xmax = 0) AS inserted, e.status, e.user_id`;
  const claim = rows[0];
  if (!claim) throw new Error(`Event ${event.id} could not be recorded`);
  return claim;
}

async function recordFailure(event: Stripe.Event, payload: string, error: unknown): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).trim().slice(0, MAX_ERROR_LENGTH);
  await getPrisma().$executeRaw`
    INSERT INTO stripe_webhook_events AS e
      (id, type, api_version, livemode, stripe_created_at, status, attempts, last_error, payload, processed_at)
    VALUES (
      ${event.id}, ${event.type}, ${event.api_version ?? null}, ${event.livemode}, to_timestamp(${event.created}),
      'failed', 1, ${message}, ${payload}::jsonb, NULL
    )
    ON CONFLICT (id) DO UPDATE SET attempts = e.attempts + 1, last_error = EXCLUDED.last_error
    WHERE e.status = 'failed'`;
}

/**
 * Records and applies one verified Stripe event in a single transaction, then clears the user's
 * feature cache after commit. Throws WebhookProcessingError (rolled back, recorded as `failed`) or
 * CacheInvalidationError (committed; the redelivery answers `already_processed` and clears again).
 */
export async function processStripeEvent({ event, payload }: ProcessStripeEventOptions): Promise<ProcessResult> {
  const note = ignoreNote(event);
  let result: ProcessResult;
  try {
    result = await getPrisma().$transaction(
      async (tx) => {
        const claim = await claimEvent(tx, event, payload, note);
        if (!claim.inserted && claim.status !== 'failed') return { status: 'already_processed', userId: claim.user_id };

        const outcome = note === undefined ? await dispatchStripeEvent(event, { tx }) : null;
        const status = outcome ? 'processed' : 'ignored';
        const finalNote = outcome?.status === 'stale' ? 'stale' : note ?? null;
        if (!claim.inserted || outcome) {
          await tx.$executeRaw`
            UPDATE stripe_webhook_events
            SET status = ${status}, note = ${finalNote}, user_id = ${outcome?.userId ?? null},
                processed_at = now(), last_error = NULL
            WHERE id = ${event.id}`;
        }
        return outcome ?? { status: 'ignored', userId: null };
      },
      // Concurrent duplicates queue on the event's key; give them room to wait for the first.
      { maxWait: 10_000, timeout: 15_000 },
    );
  } catch (error) {
    await recordFailure(event, payload, error).catch((recordError: unknown) => {
      logError(`Failure of ${event.id} not recorded: ${recordError instanceof Error ? recordError.message.split('\n')[0] : String(recordError)}`);
    });
    throw new WebhookProcessingError(event.id, error);
  }

  if (result.userId) await invalidateFeatureCache(result.userId);
  return result;
}
