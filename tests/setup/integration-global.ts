import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startApp } from '../support/app-server';
import { startTestDatabase } from './test-database';

// One production server over one embedded PostgreSQL, shared by the integration files; tests that
// need a different configuration (a broken KV, a second instance, a database outage) start their own.
export default async function setup(project: TestProject) {
  if (!existsSync('.next/BUILD_ID')) throw new Error('No production build: run `npm run build` first (`npm test` does).');
  const db = await startTestDatabase('integration');
  // A short body deadline so the slow-sender test runs in seconds.
  const app = await startApp({ databaseUrl: db.url, env: { WEBHOOK_BODY_TIMEOUT_MS: '1500' } });
  project.provide('databaseUrl', db.url);
  project.provide('appUrl', app.url);
  return async () => {
    await app.stop();
    await db.destroy();
  };
}
