import { authBaseUrl, developmentDefaultsApply } from '../env';
import { sendEmail } from '../email/send-email';
import { logger } from '../logger';

/** An e-mail about one link Better Auth made: `kind` names it in the log, `text` writes the body around the link. */
export type AuthLinkEmail = { to: string; url: string; kind: string; subject: string; text: (link: string) => string };

/**
 * E-mails a link Better Auth made (address confirmation, password reset) on the configured public
 * origin (BETTER_AUTH_URL, else APP_URL), never the request's Host; only development may use the
 * request's, and a production build without either sends nothing and says what is missing.
 */
export async function sendAuthLink(email: AuthLinkEmail, base = authBaseUrl(), development = developmentDefaultsApply()) {
  if (!base && !development) {
    logger.warn(`${email.kind} not sent: set APP_URL (the public origin its link must point to)`);
    return;
  }
  const parsed = new URL(email.url);
  const link = base ? new URL(`${parsed.pathname}${parsed.search}`, base).toString() : email.url;
  await sendEmail({ to: email.to, subject: email.subject, text: email.text(link), link });
}
