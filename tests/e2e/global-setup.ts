import { existsSync } from 'node:fs';
import { startApp } from '../support/app-server';
import { startTestDatabase } from '../setup/test-database';

export const ADMIN_EMAIL = 'admin@example.com';

// The production build over an embedded PostgreSQL, with the demo sign-in and the test-mode
// simulator switched on (both are off in a production build unless asked for).
export default async function globalSetup() {
  if (!existsSync('.next/BUILD_ID')) throw new Error('No production build: run `npm run build` first (`npm test` does).');
  const db = await startTestDatabase('e2e');
  const app = await startApp({
    databaseUrl: db.url,
    env: {
      DEMO_SIGN_IN: 'true',
      STRIPE_SIMULATOR: 'true',
      ADMIN_EMAILS: ADMIN_EMAIL,
      SESSION_SECRET: 'e2e-session-secret-0123456789abcdefghij',
      ...(process.env.STRIPE_SECRET_KEY ? { STRIPE_SECRET_KEY: process.env.STRIPE_SECRET_KEY } : {}),
    },
    appUrlFromPort: true,
  });
  process.env.E2E_BASE_URL = app.url;
  process.env.E2E_DATABASE_URL = db.url;
  return async () => {
    await app.stop();
    await db.destroy();
  };
}
