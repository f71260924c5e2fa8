import { notFound } from 'next/navigation';
import { adminEmails } from '../env';
import { type CurrentUser, getCurrentUser } from './current-user';

/** Administrators are the users whose email is in ADMIN_EMAILS; with none configured, nobody is. */
export function isAdmin(user: Pick<CurrentUser, 'email'> | null, allowList: string[] = adminEmails()): boolean {
  return Boolean(user?.email && allowList.includes(user.email.toLowerCase()));
}

/** For admin pages and actions: anyone else gets a 404, so the page does not even admit it exists. */
export async function requireAdmin(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user || !isAdmin(user)) notFound();
  return user;
}
