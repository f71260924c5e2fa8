import type { Prisma } from '../../../db/generated/client';

/**
 * What applying an event does, as SQL the pipeline runs in the same statement that records the
 * event, so recording and applying commit together or not at all.
 */
export type EventEffect = {
  /**
   * CTEs (`name AS (...)`); each one that writes carries the gate (handlers/index.test.ts fails otherwise).
   * An `INSERT`/`UPDATE` CTE always runs; one that calls a writing database function (the subscription
   * upsert) is a SELECT and runs only when read, so `userId` or `note` must read it.
   */
  ctes: Prisma.Sql[];
  /** A text expression: the user the event concerns (stored on the event row, cache cleared). */
  userId: Prisma.Sql;
  /** A text expression: the event row's note, `stale` when the state was newer; NULL otherwise. */
  note: Prisma.Sql;
};

/**
 * One handler per event type: reads the fields it needs (zod, throws EventShapeError) and returns
 * its effect. `gate` is the pipeline's claim, a boolean SQL condition: PostgreSQL runs a data-modifying
 * CTE even when the outer INSERT writes nothing, so each write must carry it (as a plain condition of the
 * CTE's own WHERE, evaluated before any function it calls). handlers/index.test.ts walks every
 * allowlisted type with its example event (lib/dev/event-templates/) and enforces this.
 */
export type EventHandler<E> = (event: E, gate: Prisma.Sql) => EventEffect;
