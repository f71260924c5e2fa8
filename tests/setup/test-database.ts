import { rm } from 'node:fs/promises';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../lib/db/embedded-postgres';
import { freePort } from '../support/app-server';
import { migrateDeploy } from '../support/database';
import { startPgbouncer, type Pooler } from '../support/pgbouncer';

export type TestDatabase = EmbeddedDatabase & {
  /** What an app server is given: DATABASE_URL (the pooler's when pooled, else `url`) and DIRECT_URL when pooled. */
  appDatabaseUrl: string;
  appDatabaseEnv: Record<string, string>;
  /** The pooler in front of the server, when started with `pooled`. */
  pooler?: Pooler;
  /** Stops the server (and its pooler) and deletes its data. */
  destroy: () => Promise<void>;
};

/** Waits until a query goes through `url` (a pooler refuses logins for a while after its server came back). */
async function waitForQuery(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000, query_timeout: 2_000 });
    // The pooler closes the connection after refusing: that close is part of the answer, not a crash.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(
          `No query went through ${new URL(url).host} within ${ms} ms: ${error instanceof Error ? error.message : String(error)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * A fresh embedded PostgreSQL with the migrations applied (on the direct URL), in its own data
 * directory; with `pooled`, behind PgBouncer in transaction mode, which the app servers then use.
 */
export async function startTestDatabase(name: string, { pooled = false }: { pooled?: boolean } = {}): Promise<TestDatabase> {
  const dataDir = `.data/test/${name}-${process.pid}`;
  await rm(dataDir, { recursive: true, force: true });
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), fsync: false });
  migrateDeploy(db.url);
  const pooler = pooled
    ? await startPgbouncer({ databaseUrl: db.url }).catch(async (error: unknown) => {
        await db.stop();
        throw error;
      })
    : undefined;
  return {
    ...db,
    // Back up means reachable where the app connects: PgBouncer refuses logins for up to
    // server_login_retry (15 s) after its connections to the server failed.
    start: async () => {
      await db.start();
      if (pooler) await waitForQuery(pooler.url, 30_000);
    },
    appDatabaseUrl: pooler?.url ?? db.url,
    appDatabaseEnv: pooler ? { DIRECT_URL: db.url } : {},
    pooler,
    destroy: async () => {
      await pooler?.stop();
      await db.stop();
      await rm(dataDir, { recursive: true, force: true });
      await rm(db.passwordFile, { force: true });
    },
  };
}
