import { z } from 'zod';
import { Prisma } from '../../db/generated/client';

/** A recorded event's status: `stripe_webhook_events.status` (its CHECK lists the same, a test compares). */
export const EVENT_STATUSES = ['processed', 'ignored', 'failed'] as const;
export const eventStatusSchema = z.enum(EVENT_STATUSES);
export type EventStatus = z.infer<typeof eventStatusSchema>;
export const EVENT_STATUS = eventStatusSchema.enum;

/** What processing an event answers: a recorded status, or `already_processed` / `stale` (processed, nothing changed). */
export const PROCESS_STATUSES = ['processed', 'already_processed', 'ignored', 'stale', 'failed'] as const;
export const processStatusSchema = z.enum(PROCESS_STATUSES);
export type ProcessStatus = z.infer<typeof processStatusSchema>;

/** A status as an SQL literal, where a bound parameter would hide it from the planner (partial indexes). */
export function eventStatusSql(status: EventStatus): Prisma.Sql {
  return Prisma.raw(`'${eventStatusSchema.parse(status)}'`);
}
