import { createAuthClient } from 'better-auth/client';

/** The browser side of lib/auth/auth.ts: calls /api/auth on the page's own origin. */
export const authClient = createAuthClient();

/** An error as Better Auth's client reports it. */
export type AuthError = { status: number; code?: string | undefined; message?: string | undefined };

/** A sign-in or sign-up failure as a sentence for the form (rate limits say how long to wait). */
export function authErrorMessage(error: AuthError, retryAfterSeconds: string | null): string {
  if (error.status === 429) return `Too many attempts. Try again in ${retryAfterSeconds ?? '10'} seconds.`;
  if (error.code === 'EMAIL_NOT_VERIFIED') return 'Confirm your e-mail address first: follow the link we sent you.';
  return error.message || 'Something went wrong. Try again.';
}
