import { rm } from 'node:fs/promises';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../lib/db/embedded-postgres';
import { freePort } from '../support/app-server';
import { migrateDeploy } from '../support/database';

export type TestDatabase = EmbeddedDatabase & { /** Stops the server and deletes its data. */ destroy: () => Promise<void> };

/** A fresh embedded PostgreSQL with the migrations applied, in its own data directory. */
export async function startTestDatabase(name: string): Promise<TestDatabase> {
  const dataDir = `.data/test/${name}-${process.pid}`;
  await rm(dataDir, { recursive: true, force: true });
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), fsync: false });
  migrateDeploy(db.url);
  return {
    ...db,
    destroy: async () => {
      await db.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
