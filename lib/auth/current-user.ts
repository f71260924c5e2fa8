import { headers } from 'next/headers';
import { cache } from 'react';
import { getAuth } from './auth';

export type Role = 'user' | 'admin';
/** What billing code needs to know about a user. */
export type CurrentUser = { id: string; email: string | null; stripeCustomerId: string | null };
export type SignedInUser = CurrentUser & { role: Role };

/**
 * The signed-in user, or null. The one function the app asks "who is this?": the session cookie is
 * checked against the sessions table by Better Auth (lib/auth/auth.ts).
 */
export const getCurrentUser = cache(async (): Promise<SignedInUser | null> => {
  // Read the request first: it marks every page that asks for the user as per-request.
  const requestHeaders = await headers();
  const auth = getAuth();
  if (!auth) return null;
  const session = await auth.api.getSession({ headers: requestHeaders });
  if (!session) return null;
  const { id, email, stripeCustomerId, role } = session.user;
  return { id, email, stripeCustomerId: stripeCustomerId ?? null, role: role === 'admin' ? 'admin' : 'user' };
});
