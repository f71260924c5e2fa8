import { sendAuthLink } from './send-auth-link';

/** E-mails the link Better Auth made to confirm an address, on the app's public origin (see sendAuthLink). */
export async function sendVerificationLink(to: string, url: string, base?: string, development?: boolean) {
  await sendAuthLink(
    {
      to,
      url,
      kind: 'Verification e-mail',
      subject: 'Confirm your e-mail address',
      text: (link) =>
        `Follow this link to confirm your e-mail address and sign in:\n\n${link}\n\nIf you did not create an account, ignore this e-mail.`,
    },
    base,
    development,
  );
}
