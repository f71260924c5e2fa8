import pg from 'pg';
import { databasePoolSize, env } from '../env';
import { logger } from '../logger';

// One connection pool per process, shared by Prisma (through @prisma/adapter-pg) and the webhook's
// SQL, so the app never holds more than DATABASE_POOL_SIZE connections.
const globalForPool = globalThis as unknown as { pgPool?: pg.Pool };

export function getPool(): pg.Pool {
  if (!globalForPool.pgPool) {
    if (!env.DATABASE_URL) {
      throw new Error('DATABASE_URL is not set. Start the app with `npm run dev` (embedded PostgreSQL) or set DATABASE_URL.');
    }
    const pool = new pg.Pool({
      connectionString: env.DATABASE_URL,
      max: databasePoolSize(),
      // Fail fast when the database is unreachable: Stripe retries, and a hung request helps no one.
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // Bounds every query, lock waits included (a duplicate waits on the first delivery's key).
      // Client-side on purpose: a `statement_timeout` startup parameter is refused by PgBouncer.
      query_timeout: 15_000,
    });
    pool.on('error', (error) => logger.error('Idle database connection failed', { error: error.message }));
    globalForPool.pgPool = pool;
  }
  return globalForPool.pgPool;
}
