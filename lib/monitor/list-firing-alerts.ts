import { Prisma } from '../db/generated/client';
import { query } from '../db/sql';

export type FiringAlert = { name: string; message: string; since: Date; notified: boolean; lastError: string | null };

/** The alerts the last monitor run found firing, oldest first (the admin page and the cron answer). */
export async function listFiringAlerts(): Promise<FiringAlert[]> {
  const rows = await query<{ name: string; message: string; since: Date; notified: boolean; last_error: string | null }>(Prisma.sql`
    SELECT name, message, since, notified, last_error FROM stripe_monitor_alerts WHERE firing ORDER BY since, name`);
  return rows.map((row) => ({ name: row.name, message: row.message, since: row.since, notified: row.notified, lastError: row.last_error }));
}
