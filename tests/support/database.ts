import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Applies the project's migrations with the real `prisma migrate deploy` (to this URL, whatever DIRECT_URL the shell has). */
export function migrateDeploy(databaseUrl: string): void {
  const result = spawnSync(process.execPath, ['prisma/cli.mjs', 'migrate', 'deploy'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, DIRECT_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`prisma migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
}

export function testPool(databaseUrl: string): pg.Pool {
  return new pg.Pool({ connectionString: databaseUrl, max: 4 });
}

export type EventRow = {
  id: string;
  type: string;
  status: string;
  note: string | null;
  attempts: number;
  last_error: string | null;
  duplicate_deliveries: number;
  user_id: string | null;
  object_id: string | null;
  api_version: string | null;
  livemode: boolean;
  payload: Record<string, unknown>;
};

export type SubscriptionRow = {
  stripe_subscription_id: string;
  user_id: string | null;
  stripe_customer_id: string | null;
  stripe_price_id: string | null;
  plan: string;
  billing_period: string | null;
  status: string;
  is_active: boolean;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  last_event_at: Date | null;
};

export async function eventRows(pool: pg.Pool, id: string): Promise<EventRow[]> {
  return (await pool.query<EventRow>('SELECT * FROM stripe_webhook_events WHERE id = $1', [id])).rows;
}

export async function subscriptionRow(pool: pg.Pool, subscriptionId: string): Promise<SubscriptionRow | undefined> {
  return (await pool.query<SubscriptionRow>('SELECT * FROM user_subscriptions WHERE stripe_subscription_id = $1', [subscriptionId]))
    .rows[0];
}

export async function rejectionCount(pool: pg.Pool, reason: string): Promise<number> {
  const { rows } = await pool.query<{ total: string | null }>(
    'SELECT sum(count) AS total FROM stripe_webhook_rejections WHERE reason = $1',
    [reason],
  );
  return Number(rows[0]?.total ?? 0);
}
