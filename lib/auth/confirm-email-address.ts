import { getPrisma } from '../db/client';

/** Marks a user's address confirmed: following a link sent to it proved its owner holds the mailbox. */
export async function confirmEmailAddress(userId: string): Promise<void> {
  await getPrisma().user.updateMany({ where: { id: userId, emailVerified: false }, data: { emailVerified: true } });
}
