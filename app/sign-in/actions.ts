'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getAuth } from '@/lib/auth/auth';

/** The header's "Sign out": ends the session row and clears the cookie (works without JavaScript). */
export async function signOutAction(): Promise<void> {
  await getAuth()?.api.signOut({ headers: await headers() });
  redirect('/');
}
