import { vi } from 'vitest';
import { DEVELOPMENT_EMAIL_LOG_MESSAGE } from '../../lib/email/send-email';

type LoggedEmail = { to: string; subject: string; url: string };

/**
 * Reads the e-mails development writes to the log instead of sending (one JSON line each, message
 * DEVELOPMENT_EMAIL_LOG_MESSAGE), as a developer reads the verification link from `npm run dev`.
 */
export function captureDevelopmentEmails() {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    lines.push(String(line));
  });
  const emails = (): LoggedEmail[] =>
    lines
      .map((line) => JSON.parse(line) as { msg?: string } & LoggedEmail)
      .filter((entry) => entry.msg === DEVELOPMENT_EMAIL_LOG_MESSAGE)
      .map(({ to, subject, url }) => ({ to, subject, url }));
  function link(to: string, subject: string): string {
    const found = emails()
      .filter((email) => email.to === to.toLowerCase() && email.subject === subject)
      .at(-1);
    if (!found) throw new Error(`no e-mail "${subject}" logged for ${to}`);
    return found.url;
  }
  return {
    lines,
    emails,
    /** The link of the newest e-mail logged for `to` whose subject is `subject`. */
    link,
    /** The newest verification link logged for `to`. */
    verificationLink: (to: string): string => link(to, 'Confirm your e-mail address'),
    restore: () => spy.mockRestore(),
  };
}
