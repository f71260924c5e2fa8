import type Stripe from 'stripe';
import { Prisma } from '../../db/generated/client';

// The SQL of the webhook's hot path, built in one place so the benchmark can run the very same
// statements against PostgreSQL alone.

export type Claim = { inserted: boolean; status: string; user_id: string | null };

export function objectIdOf(event: Stripe.Event): string | null {
  return 'id' in event.data.object && typeof event.data.object.id === 'string' ? event.data.object.id : null;
}

/**
 * Inserts the event row: the primary key is the idempotency key. A concurrent delivery of the same
 * id waits on the key until the first transaction ends, then sees the row; a `failed` row is claimed
 * for another attempt under its row lock, so two redeliveries of a failed event still apply it once.
 * `note` undefined means "to be processed"; null or a string means recorded as ignored. `userId` is
 * the user the event names, if any: when the handler agrees, the row needs no second write.
 */
export function claimEventQuery(event: Stripe.Event, payload: string, note: string | null | undefined, userId: string | null = null): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO stripe_webhook_events AS e
      (id, type, api_version, livemode, stripe_created_at, status, note, attempts, object_id, user_id, payload, processed_at)
    VALUES (
      ${event.id}, ${event.type}, ${event.api_version ?? null}, ${event.livemode}, to_timestamp(${event.created}),
      ${note === undefined ? 'processed' : 'ignored'}, ${note ?? null}, 1, ${objectIdOf(event)}, ${userId}, ${payload}::jsonb, now()
    )
    ON CONFLICT (id) DO UPDATE SET
      attempts = e.attempts + (e.status = 'failed')::int,
      duplicate_deliveries = e.duplicate_deliveries + (e.status <> 'failed')::int
    RETURNING (xmax = 0) AS inserted, e.status, e.user_id`;
}

export type ClaimAndApply = { inserted: boolean; status: string; user_id: string | null; applied: boolean; applied_user_id: string | null };

/**
 * The whole delivery in one statement (one round trip, atomic): claim the event id and, when this
 * statement inserted it, apply `effect` in the same statement. A duplicate only counts itself. An
 * existing `failed` row returns no row at all: the caller then retries it the long way, under the
 * row lock, in its own transaction.
 */
export function claimAndApplyQuery(
  event: Stripe.Event,
  payload: string,
  note: string | null | undefined,
  userId: string | null,
  effect: ((gate: Prisma.Sql) => Prisma.Sql) | null,
): Prisma.Sql {
  const effectSql = effect?.(Prisma.sql`EXISTS (SELECT 1 FROM claim WHERE inserted)`);
  return Prisma.sql`
    WITH claim AS (
      INSERT INTO stripe_webhook_events AS e
        (id, type, api_version, livemode, stripe_created_at, status, note, attempts, object_id, user_id, payload, processed_at)
      VALUES (
        ${event.id}, ${event.type}, ${event.api_version ?? null}, ${event.livemode}, to_timestamp(${event.created}),
        ${note === undefined ? 'processed' : 'ignored'}, ${note ?? null}, 1, ${objectIdOf(event)}, ${userId}, ${payload}::jsonb, now()
      )
      ON CONFLICT (id) DO UPDATE SET duplicate_deliveries = e.duplicate_deliveries + 1
      WHERE e.status <> 'failed'
      RETURNING (xmax = 0) AS inserted, e.status, e.user_id
    )${effectSql ? Prisma.sql`, effect AS (${effectSql})` : Prisma.empty}
    SELECT claim.inserted, claim.status, claim.user_id,
      ${effectSql ? Prisma.sql`EXISTS (SELECT 1 FROM effect)` : Prisma.sql`false`} AS applied,
      ${effectSql ? Prisma.sql`(SELECT user_id FROM effect LIMIT 1)` : Prisma.sql`NULL::text`} AS applied_user_id
    FROM claim`;
}

export function finishEventQuery({ eventId, status, note, userId }: { eventId: string; status: string; note: string | null; userId: string | null }): Prisma.Sql {
  return Prisma.sql`
    UPDATE stripe_webhook_events
    SET status = ${status}, note = ${note}, user_id = ${userId}, processed_at = now(), last_error = NULL
    WHERE id = ${eventId}`;
}

/** After a rollback: record (or count another) failed attempt, never overwriting a processed row. */
export function recordFailureQuery(event: Stripe.Event, payload: string, message: string): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO stripe_webhook_events AS e
      (id, type, api_version, livemode, stripe_created_at, status, attempts, last_error, object_id, payload, processed_at)
    VALUES (
      ${event.id}, ${event.type}, ${event.api_version ?? null}, ${event.livemode}, to_timestamp(${event.created}),
      'failed', 1, ${message}, ${objectIdOf(event)}, ${payload}::jsonb, NULL
    )
    ON CONFLICT (id) DO UPDATE SET attempts = e.attempts + 1, last_error = EXCLUDED.last_error
    WHERE e.status = 'failed'`;
}
