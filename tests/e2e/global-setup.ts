import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startApp } from '../support/app-server';
import { startMailReceiver } from '../support/mail-receiver';
import { signUpVerified } from '../support/sign-up';
import { startTestDatabase } from '../setup/test-database';
import { PASSWORD } from './helpers';

export const ADMIN_EMAIL = 'admin@example.com';

// The production build over an embedded PostgreSQL with the real sign-in, e-mails sent to a local
// mail API, and the test-mode simulator switched on (off in a production build unless asked for).
// The administrator signs up and confirms the address like anyone, then an operator grants the role
// with `admin:grant`.
export default async function globalSetup() {
  if (!existsSync('.next/BUILD_ID')) throw new Error('No production build: run `npm run build` first (`npm test` does).');
  const db = await startTestDatabase('e2e');
  const mail = await startMailReceiver();
  const app = await startApp({
    databaseUrl: db.url,
    env: {
      EMAIL_API_URL: mail.url,
      STRIPE_SIMULATOR: 'true',
      BETTER_AUTH_SECRET: 'e2e-better-auth-secret-0123456789abcdefghij',
      ...(process.env.STRIPE_SECRET_KEY ? { STRIPE_SECRET_KEY: process.env.STRIPE_SECRET_KEY } : {}),
    },
    appUrlFromPort: true,
  });
  await signUpVerified({ appUrl: app.url, mailUrl: mail.url, name: 'Ops', email: ADMIN_EMAIL, password: PASSWORD });
  const grant = spawnSync('node_modules/.bin/tsx', ['scripts/admin-grant.ts', ADMIN_EMAIL], {
    env: { ...process.env, DATABASE_URL: db.url },
    encoding: 'utf8',
  });
  if (grant.status !== 0) throw new Error(`admin:grant failed: ${grant.stderr}`);

  process.env.E2E_BASE_URL = app.url;
  process.env.E2E_DATABASE_URL = db.url;
  process.env.E2E_MAIL_URL = mail.url;
  return async () => {
    await app.stop();
    await mail.close();
    await db.destroy();
  };
}
