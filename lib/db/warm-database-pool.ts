import { env } from '../env';
import { errorMessage, logger } from '../logger';
import { getPool } from './pool';

// Reads that load, on the connection they open, the catalog entries of the tables and indexes the
// webhook's statement uses, so the first delivery pays neither for connecting nor for that.
const WARM_UP_SQL = `SELECT
  (SELECT count(*) FROM stripe_webhook_events WHERE id = '') +
  (SELECT count(*) FROM user_subscriptions WHERE stripe_subscription_id = '') AS rows`;

/**
 * Opens the pool's first connection when the server starts instead of on the first request, without
 * waiting for it: a database that is down delays nothing and is retried by the first request.
 */
export function warmDatabasePool(): void {
  if (!env.DATABASE_URL) return;
  getPool()
    .query(WARM_UP_SQL)
    .catch((error: unknown) => {
      logger.warn('Database not reachable at start; the first request connects', { error: errorMessage(error) });
    });
}
