import { getPrisma } from '../db/client';

export type GrantResult = 'granted' | 'no_user' | 'unverified';

/**
 * Makes the user with this email an administrator. An address nobody has proved they own (not
 * verified) is refused unless `force`: whoever registered it first may not be its owner.
 */
export async function grantAdminRole({ email, force = false }: { email: string; force?: boolean }): Promise<GrantResult> {
  const where = { email: email.trim().toLowerCase() };
  const { count } = await getPrisma().user.updateMany({
    where: force ? where : { ...where, emailVerified: true },
    data: { role: 'admin' },
  });
  if (count > 0) return 'granted';
  return (await getPrisma().user.count({ where })) > 0 ? 'unverified' : 'no_user';
}
