import { cache } from 'react';
import { getPrisma } from '../db/client';
import { getSession, SessionConfigurationError } from './session';

export type CurrentUser = { id: string; email: string | null; stripeCustomerId: string | null };

/**
 * The signed-in user, or null. The one function the app asks "who is this?"; swapping the demo
 * sign-in for Auth.js or Clerk means changing this module and lib/auth/session.ts only.
 */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  let userId: string | undefined;
  try {
    userId = (await getSession()).userId;
  } catch (error) {
    // No SESSION_SECRET in production: nobody is signed in. Anything else (including Next's
    // dynamic-rendering signal from cookies()) must propagate.
    if (error instanceof SessionConfigurationError) return null;
    throw error;
  }
  if (!userId) return null;
  return getPrisma().user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, stripeCustomerId: true },
  });
});
