import type { TestProject } from 'vitest/node';
import { startTestDatabase } from './test-database';

// The tests beside the code (lib/, scripts/) run against a real PostgreSQL; lib/env reads DATABASE_URL.
export default async function setup(project: TestProject) {
  const db = await startTestDatabase('lib-postgres');
  process.env.DATABASE_URL = db.url;
  project.provide('databaseUrl', db.url);
  return () => db.destroy();
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The direct URL of the test database (tests read and check rows there). */
    databaseUrl: string;
    appUrl: string;
    /** The connection app servers get: DATABASE_URL (the pooler's in integration-pooled) and its env (DIRECT_URL). */
    appDatabaseUrl: string;
    appDatabaseEnv: Record<string, string>;
    /** Whether app servers and the databases tests start sit behind PgBouncer in transaction mode. */
    pooled: boolean;
    /** Why integration-pooled did not run, on a machine without PgBouncer. */
    poolerUnavailable: string;
  }
}
