import { sendAuthLink } from './send-auth-link';

/** The subject of the password reset e-mail (tests and the docs look for it). */
export const PASSWORD_RESET_SUBJECT = 'Reset your password';

/** E-mails the link Better Auth made to choose a new password, on the app's public origin (see sendAuthLink). */
export async function sendPasswordResetLink(to: string, url: string, base?: string, development?: boolean) {
  await sendAuthLink(
    {
      to,
      url,
      kind: 'Password reset e-mail',
      subject: PASSWORD_RESET_SUBJECT,
      text: (link) =>
        `Follow this link within an hour to choose a new password (it also confirms this address):\n\n${link}\n\nIf you did not ask for it, ignore this e-mail: your password stays as it is.`,
    },
    base,
    development,
  );
}
