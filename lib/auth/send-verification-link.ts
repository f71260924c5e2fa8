import { authBaseUrl, developmentDefaultsApply } from '../env';
import { sendEmail } from '../email/send-email';
import { logger } from '../logger';

/**
 * E-mails the link Better Auth made to confirm an address. The link is put on the configured public
 * origin (BETTER_AUTH_URL, else APP_URL), never the request's Host; only development may use the
 * request's, and a production build without either sends nothing and says what is missing.
 */
export async function sendVerificationLink(to: string, url: string, base = authBaseUrl(), development = developmentDefaultsApply()) {
  if (!base && !development) {
    logger.warn('Verification e-mail not sent: set APP_URL (the public origin its link must point to)');
    return;
  }
  const parsed = new URL(url);
  const link = base ? new URL(`${parsed.pathname}${parsed.search}`, base).toString() : url;
  await sendEmail({
    to,
    subject: 'Confirm your e-mail address',
    text: `Follow this link to confirm your e-mail address and sign in:\n\n${link}\n\nIf you did not create an account, ignore this e-mail.`,
    link,
  });
}
