import { appUrl, developmentDefaultsApply, env, type Env } from '../env';
import { logger } from '../logger';

/** One e-mail: plain text, with the one link it is about (kept apart so development can log it). */
export type Email = { to: string; subject: string; text: string; link: string };

/** What development logs instead of sending: one line per e-mail, with `to`, `subject` and `url`. */
export const DEVELOPMENT_EMAIL_LOG_MESSAGE = 'E-mail (development: logged, not sent)';

/**
 * Sends an e-mail through the mail API at EMAIL_API_URL (JSON {from, to, subject, text} with a Bearer
 * key: Resend's POST /emails; another provider plugs in here). Without one, development logs it,
 * link included, and a production build sends nothing and warns without the link: it is a credential.
 */
export async function sendEmail(email: Email, source: Env = env, development = developmentDefaultsApply()): Promise<void> {
  if (source.EMAIL_API_URL) {
    const from = source.EMAIL_FROM ?? `no-reply@${new URL(appUrl(source) ?? 'http://localhost').hostname}`;
    const response = await fetch(source.EMAIL_API_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(source.EMAIL_API_KEY ? { authorization: `Bearer ${source.EMAIL_API_KEY}` } : {}) },
      body: JSON.stringify({ from, to: email.to, subject: email.subject, text: email.text }),
      signal: AbortSignal.timeout(10_000),
    });
    // The provider's body may echo the message: only its status is reported.
    if (!response.ok) throw new Error(`The mail API answered ${response.status} for "${email.subject}"`);
    return;
  }
  if (development) {
    logger.info(DEVELOPMENT_EMAIL_LOG_MESSAGE, { to: email.to, subject: email.subject, url: email.link });
    return;
  }
  logger.warn('E-mail not sent: no mail API is configured (set EMAIL_API_URL)', { subject: email.subject });
}
