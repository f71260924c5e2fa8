import { getPrisma } from '../db/client';

export type UnknownPrice = { priceId: string | null; subscriptions: number; active: number; lastSeen: Date };

/**
 * Prices billed by subscriptions whose price the catalog does not sell (`plan = 'unknown'`): they
 * unlock nothing, so an operator either adds them to the catalog or moves those customers.
 */
export async function listUnknownPrices(limit = 20): Promise<UnknownPrice[]> {
  const rows = await getPrisma().$queryRaw<{ price_id: string | null; subscriptions: number; active: number; last_seen: Date }[]>`
    SELECT stripe_price_id AS price_id, count(*)::int AS subscriptions, count(*) FILTER (WHERE is_active)::int AS active, max(updated_at) AS last_seen
    FROM user_subscriptions WHERE plan = 'unknown'
    GROUP BY stripe_price_id ORDER BY max(updated_at) DESC LIMIT ${limit}`;
  return rows.map((row) => ({ priceId: row.price_id, subscriptions: row.subscriptions, active: row.active, lastSeen: row.last_seen }));
}
