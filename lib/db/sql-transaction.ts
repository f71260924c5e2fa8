import type { Prisma } from './generated/client';
import { getPool } from './pool';

/** A transaction that runs Prisma.sql queries; what the webhook handlers write with. */
export type SqlTransaction = {
  query<Row = Record<string, unknown>>(sql: Prisma.Sql): Promise<Row[]>;
};

/**
 * Runs `work` in one database transaction on a pooled connection: BEGIN, the statements, COMMIT,
 * and nothing else per statement. The webhook's hot path uses this instead of Prisma's interactive
 * transaction, which costs several times more per statement (see the benchmark).
 */
export async function withTransaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
  const client = await getPool().connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work({
      query: async <Row>(sql: Prisma.Sql) => (await client.query(sql.text, sql.values)).rows as Row[],
    });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    // A connection that could not even roll back is discarded, not returned to the pool.
    client.release(broken);
  }
}
