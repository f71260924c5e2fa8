import { notFound } from 'next/navigation';
import { getCurrentUser, type SignedInUser } from './current-user';

/** Administrators are users whose role is 'admin' (granted by `npm run admin:grant -- <email>`). */
export function isAdmin(user: Pick<SignedInUser, 'role'> | null): boolean {
  return user?.role === 'admin';
}

/** For admin pages and actions: anyone else gets a 404, so the page does not even admit it exists. */
export async function requireAdmin(): Promise<SignedInUser> {
  const user = await getCurrentUser();
  if (!user || !isAdmin(user)) notFound();
  return user;
}
