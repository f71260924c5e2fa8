import { authBaseUrl } from '../env';
import { sendEmail } from '../email/send-email';

/**
 * Tells an address's owner that someone tried to sign up with it again. Sign-up answers exactly as
 * for a new address, so only the mailbox learns the account exists. The notice offers a password
 * reset too: the account may be one someone else registered with this address and their password.
 */
export async function notifyExistingAccount(to: string, base = authBaseUrl()) {
  const link = base ? new URL('/sign-in', base).toString() : '/sign-in';
  const reset = base ? new URL('/forgot-password', base).toString() : '/forgot-password';
  await sendEmail({
    to,
    subject: 'You already have an account',
    text: `Someone, perhaps you, tried to create an account with this address, which already has one. Sign in instead:\n\n${link}\n\nForgot the password, or never set one? Choose a new one here (it signs out everyone else):\n\n${reset}\n\nIf it was not you, nothing has changed.`,
    link,
  });
}
