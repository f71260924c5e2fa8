import type Stripe from 'stripe';
import { Prisma } from '../../db/generated/client';
import { EVENT_STATUS, eventStatusSql, type EventStatus } from './event-statuses';
import type { EventEffect } from './handlers/types';

// The SQL that records events in stripe_webhook_events, the idempotency key and the audit trail.
// Each statement carries the handler's effect as CTEs, so the event row and its effect commit
// together: one statement for a new event or a duplicate, one transaction for an event run again.

export type EventRow = { status: EventStatus; note: string | null; user_id: string | null; attempts: number };

/** The row an event gets: `ignored` (with a note saying why, if any) or applied by `effect`. */
export type EventRecord = { event: Stripe.Event; payload: string; status: Exclude<EventStatus, 'failed'>; effect: EventEffect };

export function objectIdOf(event: Stripe.Event): string | null {
  return 'id' in event.data.object && typeof event.data.object.id === 'string' ? event.data.object.id : null;
}

// The columns every event row gets from the event itself, written in one place.
const EVENT_COLUMNS = Prisma.sql`id, type, api_version, livemode, stripe_created_at, object_id, payload`;

function eventValues(event: Stripe.Event, payload: string): Prisma.Sql {
  return Prisma.sql`${event.id}::text, ${event.type}::text, ${event.api_version ?? null}::text, ${event.livemode}::boolean,
    to_timestamp(${event.created}::bigint), ${objectIdOf(event)}::text, ${jsonbSafe(payload)}::jsonb`;
}

/**
 * jsonb refuses the escape `\u0000` (NUL) that JSON allows: store it as the six characters it was
 * written with, so every genuine event is recorded whatever its strings hold.
 */
export function jsonbSafe(json: string): string {
  return json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\\\u0000');
}

function withEffect(effect: EventEffect, statement: Prisma.Sql): Prisma.Sql {
  return effect.ctes.length > 0 ? Prisma.sql`WITH ${Prisma.join(effect.ctes, ',\n')}\n${statement}` : statement;
}

/** The condition a new event is recorded and applied under: no row for this id in the statement's snapshot. */
export function newEventGate(eventId: string): Prisma.Sql {
  return Prisma.sql`NOT EXISTS (SELECT 1 FROM stripe_webhook_events WHERE id = ${eventId}::text)`;
}

/**
 * Records a new event and applies its effect in one statement, under `gate` (the id not yet seen:
 * a duplicate of an event recorded earlier writes nothing and returns no row). The primary key is
 * the idempotency key: if the id was recorded meanwhile (a concurrent delivery that committed first)
 * the INSERT raises a unique violation and the whole statement, effect included, is undone. Either
 * way the caller then takes the recorded-event path.
 */
export function insertEventQuery({ event, payload, status, effect }: EventRecord, gate: Prisma.Sql): Prisma.Sql {
  return withEffect(
    effect,
    Prisma.sql`
    INSERT INTO stripe_webhook_events (${EVENT_COLUMNS}, status, note, user_id, attempts, processed_at)
    SELECT ${eventValues(event, payload)}, ${status}::text, ${effect.note}, ${effect.userId}, 1, now()
    WHERE ${gate}
    RETURNING status, note, user_id, attempts`,
  );
}

/** Locks a recorded event's row for the rest of the transaction (redeliveries queue behind it). */
export function lockEventQuery(eventId: string): Prisma.Sql {
  return Prisma.sql`SELECT status, note, user_id, attempts FROM stripe_webhook_events WHERE id = ${eventId} FOR UPDATE`;
}

/** Runs a recorded event again (a failed one, or an ignored one an administrator replays). */
export function reopenEventQuery({ event, status, effect }: EventRecord): Prisma.Sql {
  return withEffect(
    effect,
    Prisma.sql`
    UPDATE stripe_webhook_events
    SET status = ${status}::text, note = ${effect.note}, user_id = ${effect.userId},
      attempts = attempts + 1, last_error = NULL, processed_at = now()
    WHERE id = ${event.id}::text
    RETURNING status, note, user_id, attempts`,
  );
}

/**
 * Counts a redelivery of an event that needs nothing more (its status is not one to run again), on
 * its row and in the hour's counter, in one statement; returns the row, or nothing when the event is
 * to run again.
 */
export function countDuplicateQuery(eventId: string, reopenable: string[]): Prisma.Sql {
  return Prisma.sql`
    WITH counted AS (
      UPDATE stripe_webhook_events SET duplicate_deliveries = duplicate_deliveries + 1
      WHERE id = ${eventId}::text AND status <> ALL(${reopenable}::text[])
      RETURNING status, note, user_id, attempts
    ), hourly AS (
      INSERT INTO stripe_webhook_duplicates AS d (hour, count)
      SELECT date_trunc('hour', now()), 1 FROM counted
      ON CONFLICT (hour) DO UPDATE SET count = d.count + 1
    )
    SELECT status, note, user_id, attempts FROM counted`;
}

/** After a rollback: record (or count another) failed attempt, never overwriting a handled row. */
export function recordFailureQuery(event: Stripe.Event, payload: string, message: string): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO stripe_webhook_events AS e (${EVENT_COLUMNS}, status, attempts, last_error, processed_at)
    VALUES (${eventValues(event, payload)}, ${eventStatusSql(EVENT_STATUS.failed)}, 1, ${message}::text, NULL)
    ON CONFLICT (id) DO UPDATE SET attempts = e.attempts + 1, last_error = EXCLUDED.last_error
    WHERE e.status = ${eventStatusSql(EVENT_STATUS.failed)}
    RETURNING attempts`;
}
