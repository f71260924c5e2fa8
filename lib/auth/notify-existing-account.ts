import { authBaseUrl } from '../env';
import { sendEmail } from '../email/send-email';

/**
 * Tells an address's owner that someone tried to sign up with it again. Sign-up answers exactly as
 * for a new address, so only the mailbox learns the account exists.
 */
export async function notifyExistingAccount(to: string, base = authBaseUrl()) {
  const link = base ? new URL('/sign-in', base).toString() : '/sign-in';
  await sendEmail({
    to,
    subject: 'You already have an account',
    text: `Someone, perhaps you, tried to create an account with this address, which already has one. Sign in instead:\n\n${link}\n\nIf it was not you, nothing has changed.`,
    link,
  });
}
