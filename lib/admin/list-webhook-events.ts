import { z } from 'zod';
import { getPrisma } from '../db/client';
import { Prisma } from '../db/generated/client';
import { eventStatusSchema, type EventStatus } from '../billing/webhook/event-statuses';

export type WebhookEventSummary = {
  id: string;
  type: string;
  status: EventStatus;
  note: string | null;
  apiVersion: string | null;
  attempts: number;
  duplicateDeliveries: number;
  receivedAt: Date;
};

export const listFilters = z.object({
  type: z
    .string()
    .trim()
    .max(100)
    .regex(/^[a-z0-9_.]*$/)
    .optional()
    .catch(undefined),
  status: eventStatusSchema.optional().catch(undefined),
  cursor: z.string().max(200).optional().catch(undefined),
});

export type ListFilters = z.infer<typeof listFilters>;

// Keyset cursor: the (received_at, id) of the last row shown, so deep pages cost what the first does.
export function encodeCursor(row: { receivedAt: Date; id: string }): string {
  return Buffer.from(`${row.receivedAt.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { receivedAt: Date; id: string } | null {
  if (!cursor) return null;
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const receivedAt = new Date(iso ?? '');
  return id && !Number.isNaN(receivedAt.getTime()) ? { receivedAt, id } : null;
}

/** Newest first, `limit` per page, narrowed by type and status, served by the (…, received_at, id) indexes. */
export async function listWebhookEvents({ type, status, cursor, limit = 50 }: ListFilters & { limit?: number }) {
  const after = decodeCursor(cursor);
  const conditions = [
    type ? Prisma.sql`type = ${type}` : null,
    status ? Prisma.sql`status = ${status}` : null,
    after ? Prisma.sql`(received_at, id) < (${after.receivedAt}::timestamptz, ${after.id})` : null,
  ].filter((condition): condition is Prisma.Sql => condition !== null);
  const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;

  const rows = await getPrisma().$queryRaw<
    {
      id: string;
      type: string;
      status: EventStatus;
      note: string | null;
      api_version: string | null;
      attempts: number;
      duplicate_deliveries: number;
      received_at: Date;
    }[]
  >`
    SELECT id, type, status, note, api_version, attempts, duplicate_deliveries, received_at
    FROM stripe_webhook_events ${where}
    ORDER BY received_at DESC, id DESC
    LIMIT ${limit + 1}`;

  const events: WebhookEventSummary[] = rows.slice(0, limit).map((row) => ({
    id: row.id,
    type: row.type,
    status: row.status,
    note: row.note,
    apiVersion: row.api_version,
    attempts: row.attempts,
    duplicateDeliveries: row.duplicate_deliveries,
    receivedAt: row.received_at,
  }));
  const last = events.at(-1);
  return { events, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
