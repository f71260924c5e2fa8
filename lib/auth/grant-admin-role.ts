import { getPrisma } from '../db/client';

/** Makes the user with this email an administrator; false when no user has it. */
export async function grantAdminRole({ email }: { email: string }): Promise<boolean> {
  const { count } = await getPrisma().user.updateMany({
    where: { email: email.trim().toLowerCase() },
    data: { role: 'admin' },
  });
  return count > 0;
}
