import { createAuthClient } from 'better-auth/client';

/** The browser side of lib/auth/auth.ts: calls /api/auth on the page's own origin. */
export const authClient = createAuthClient();

/** A sign-in or sign-up failure as a sentence for the form (rate limits say how long to wait). */
export function authErrorMessage(error: { status: number; message?: string | undefined }, retryAfterSeconds: string | null): string {
  if (error.status === 429) return `Too many attempts. Try again in ${retryAfterSeconds ?? '10'} seconds.`;
  return error.message || 'Something went wrong. Try again.';
}
