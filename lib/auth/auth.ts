import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { nextCookies } from 'better-auth/next-js';
import { getPrisma } from '../db/client';
import { authBaseUrl, demoSignInEnabled, oauthProviders, sessionSecret } from '../env';
import { logger } from '../logger';
import { clientAddressSource } from './client-address-source';
import { confirmEmailAddress } from './confirm-email-address';
import { demoSignIn } from './demo-sign-in';
import { limitSignInPerAccount } from './limit-sign-in-per-account';
import { notifyExistingAccount } from './notify-existing-account';
import { sendPasswordResetLink } from './send-password-reset-link';
import { sendVerificationLink } from './send-verification-link';

function createAuth(secret: string) {
  return betterAuth({
    appName: 'Acme Analytics',
    secret,
    baseURL: authBaseUrl(),
    // Better Auth's own tables through the app's one Prisma client (and its one pool).
    database: prismaAdapter(getPrisma(), { provider: 'postgresql' }),
    user: {
      additionalFields: {
        // Read-only to users: sign-up and update-user refuse them; the operator and the webhook set them.
        role: { type: 'string', required: false, defaultValue: 'user', input: false },
        stripeCustomerId: { type: 'string', required: false, input: false },
      },
    },
    // Passwords: the library's rules (8 to 128 characters, scrypt hashes). A confirmed address is
    // required to sign in, which also makes sign-up answer alike for a new and a registered address
    // (no session, a synthetic user); the registered address's owner gets a notice instead.
    emailAndPassword: {
      enabled: true,
      requireEmailVerification: true,
      onExistingUserSignUp: ({ user }) => notifyExistingAccount(user.email),
      // A forgotten password, or an address someone else registered first: the reset link (valid an
      // hour) sets a new password, ends every session, and confirms the address its owner just proved.
      sendResetPassword: ({ user, url }) => sendPasswordResetLink(user.email, url),
      revokeSessionsOnPasswordReset: true,
      onPasswordReset: ({ user }) => confirmEmailAddress(user.id),
    },
    emailVerification: {
      sendOnSignUp: true,
      autoSignInAfterVerification: true,
      sendVerificationEmail: ({ user, url }) => sendVerificationLink(user.email, url),
    },
    socialProviders: oauthProviders(),
    // The library's limits (sign-in and sign-up: 3 per 10 s per client address), counted in
    // PostgreSQL so they hold across every instance; on in every environment.
    rateLimit: { enabled: true, storage: 'database', modelName: 'rateLimit' },
    // The client address only from headers a trusted party sets (see clientAddressSource).
    advanced: { ipAddress: clientAddressSource().ipAddress },
    hooks: {
      // Password attempts are also limited per account, so a client changing its address gains nothing.
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== '/sign-in/email' || typeof ctx.body?.email !== 'string') return;
        const retryAfter = await limitSignInPerAccount(ctx.body.email);
        if (retryAfter !== null)
          throw new APIError(
            'TOO_MANY_REQUESTS',
            { message: 'Too many sign-in attempts for this account.' },
            { 'X-Retry-After': String(retryAfter) },
          );
      }),
    },
    telemetry: { enabled: false },
    logger: {
      level: 'warn',
      log: (level, message) => (level === 'error' ? logger.error : level === 'warn' ? logger.warn : logger.info)(`Auth: ${message}`),
    },
    // nextCookies must stay last: it copies Better Auth's cookies onto server actions' responses.
    plugins: [...(demoSignInEnabled() ? [demoSignIn()] : []), nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

// One instance per process (created on first use, so builds need no database or secret).
const globalForAuth = globalThis as unknown as { auth?: Auth };

/** The sign-in library, or null when production has no BETTER_AUTH_SECRET (then nobody is signed in). */
export function getAuth(): Auth | null {
  if (globalForAuth.auth) return globalForAuth.auth;
  const secret = sessionSecret();
  if (!secret) return null;
  globalForAuth.auth = createAuth(secret);
  return globalForAuth.auth;
}
