import { Prisma } from '../../db/generated/client';

export type BillingPeriod = { start: number | null; end: number | null };

/**
 * SET clauses that move a subscription row's billing period forward only. A later period replaces
 * the stored one even if it ends earlier (a switch from annual to monthly restarts the period); the
 * same period can only be extended; an older period changes nothing, whichever event type brought it.
 * The end's rule is the database's `billing_advanced_period_end`, which the subscription upsert uses too.
 */
export function advancePeriodSql(table: string, { start, end }: BillingPeriod): Prisma.Sql {
  const storedStart = Prisma.raw(`${table}.current_period_start`);
  const storedEnd = Prisma.raw(`${table}.current_period_end`);
  const newStart = Prisma.sql`to_timestamp(${start}::bigint)`;
  return Prisma.sql`
    current_period_end = billing_advanced_period_end(${storedStart}, ${storedEnd}, ${newStart}, to_timestamp(${end}::bigint)),
    current_period_start = GREATEST(${storedStart}, ${newStart})`;
}
