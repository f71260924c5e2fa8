import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startApp } from '../support/app-server';
import { startTestDatabase } from './test-database';

/**
 * One production server over one embedded PostgreSQL, shared by the integration files; tests that
 * need a different configuration (a broken KV, a second instance, a database outage) start their own,
 * with the same kind of connection (`pooled`: through PgBouncer in transaction mode).
 */
export async function startIntegrationServers(project: TestProject, { pooled }: { pooled: boolean }) {
  if (!existsSync('.next/BUILD_ID')) throw new Error('No production build: run `npm run build` first (`npm test` does).');
  const db = await startTestDatabase(pooled ? 'integration-pooled' : 'integration', { pooled });
  try {
    // A short body deadline so the slow-sender test runs in seconds.
    const app = await startApp({ databaseUrl: db.appDatabaseUrl, env: { ...db.appDatabaseEnv, WEBHOOK_BODY_TIMEOUT_MS: '1500' } });
    // The tests read and check rows on the direct URL; app servers they start get the app's connection.
    project.provide('databaseUrl', db.url);
    project.provide('appUrl', app.url);
    project.provide('appDatabaseUrl', db.appDatabaseUrl);
    project.provide('appDatabaseEnv', db.appDatabaseEnv);
    project.provide('pooled', pooled);
    return async () => {
      await app.stop();
      await db.destroy();
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

export default function setup(project: TestProject) {
  return startIntegrationServers(project, { pooled: false });
}
