import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startApp } from '../support/app-server';
import { startTestDatabase } from '../setup/test-database';
import { PASSWORD } from './helpers';

export const ADMIN_EMAIL = 'admin@example.com';

// The production build over an embedded PostgreSQL with the real sign-in and the test-mode
// simulator switched on (off in a production build unless asked for). The administrator signs up
// like anyone, then an operator grants the role with `admin:grant`.
export default async function globalSetup() {
  if (!existsSync('.next/BUILD_ID')) throw new Error('No production build: run `npm run build` first (`npm test` does).');
  const db = await startTestDatabase('e2e');
  const app = await startApp({
    databaseUrl: db.url,
    env: {
      STRIPE_SIMULATOR: 'true',
      BETTER_AUTH_SECRET: 'e2e-better-auth-secret-0123456789abcdefghij',
      ...(process.env.STRIPE_SECRET_KEY ? { STRIPE_SECRET_KEY: process.env.STRIPE_SECRET_KEY } : {}),
    },
    appUrlFromPort: true,
  });
  const signUp = await fetch(`${app.url}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app.url },
    body: JSON.stringify({ name: 'Ops', email: ADMIN_EMAIL, password: PASSWORD }),
  });
  if (signUp.status !== 200) throw new Error(`admin sign-up answered ${signUp.status}: ${await signUp.text()}`);
  // The test administrator has no mailbox to verify from: the operator vouches with --force.
  const grant = spawnSync('node_modules/.bin/tsx', ['scripts/admin-grant.ts', ADMIN_EMAIL, '--force'], {
    env: { ...process.env, DATABASE_URL: db.url },
    encoding: 'utf8',
  });
  if (grant.status !== 0) throw new Error(`admin:grant failed: ${grant.stderr}`);

  process.env.E2E_BASE_URL = app.url;
  process.env.E2E_DATABASE_URL = db.url;
  return async () => {
    await app.stop();
    await db.destroy();
  };
}
