import { createHash } from 'node:crypto';
import type { Prisma } from './generated/client';
import { getPool } from './pool';

// Each distinct SQL text becomes a named prepared statement per connection, so PostgreSQL parses
// and plans the hot path's few statements once instead of on every delivery.
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `tx_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** A transaction that runs Prisma.sql queries; what the webhook handlers write with. */
export type SqlTransaction = {
  query<Row = Record<string, unknown>>(sql: Prisma.Sql): Promise<Row[]>;
};

/** One statement, in its own (implicit) transaction, as a named prepared statement. */
export async function runStatement<Row = Record<string, unknown>>(sql: Prisma.Sql): Promise<Row[]> {
  return (await getPool().query({ name: statementName(sql.text), text: sql.text, values: sql.values })).rows as Row[];
}

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
      query: async <Row>(sql: Prisma.Sql) => (await client.query({ name: statementName(sql.text), text: sql.text, values: sql.values })).rows as Row[],
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
