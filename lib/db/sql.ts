import type { PoolClient } from 'pg';
import type { Prisma } from './generated/client';
import { getPool } from './pool';

// The raw SQL that Prisma's query API cannot say (the webhook's claim-and-apply statement, the
// guarded upserts), run on the same pool as Prisma. Unnamed statements and nothing kept on the
// connection between transactions, so it is safe behind a transaction-mode pooler.

/** Runs a statement the pipeline writes with: Prisma.sql in, rows out. */
export type SqlRunner = <Row = Record<string, unknown>>(sql: Prisma.Sql) => Promise<Row[]>;

function runOn(client: Pick<PoolClient, 'query'>): SqlRunner {
  return async <Row>(sql: Prisma.Sql) => (await client.query({ text: sql.text, values: sql.values })).rows as Row[];
}

/** One statement in its own implicit transaction: atomic, one round trip. */
export const query: SqlRunner = (sql) => runOn(getPool())(sql);

/** Runs `work` in one transaction on one pooled connection: BEGIN, the statements, COMMIT. */
export async function transaction<T>(work: (run: SqlRunner) => Promise<T>): Promise<T> {
  const client = await getPool().connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(runOn(client));
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

/** PostgreSQL's SQLSTATE of a failed query, if it is one. */
export function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** The constraint a failed query violated, if PostgreSQL named one. */
export function violatedConstraint(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'constraint' in error && typeof error.constraint === 'string'
    ? error.constraint
    : undefined;
}
