import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureDevelopmentEmails } from '../../tests/support/development-emails';
import { startMailReceiver } from '../../tests/support/mail-receiver';
import { env } from '../env';
import { type Email, sendEmail } from './send-email';

const EMAIL: Email = {
  to: 'jo@example.com',
  subject: 'Confirm your e-mail address',
  text: 'Follow https://app.example.com/api/auth/verify-email?token=secret-token',
  link: 'https://app.example.com/api/auth/verify-email?token=secret-token',
};

let receiver: Awaited<ReturnType<typeof startMailReceiver>>;
beforeAll(async () => {
  receiver = await startMailReceiver();
});
afterAll(() => receiver.close());
afterEach(() => vi.restoreAllMocks());

describe('sendEmail', () => {
  it('development without a mail API: one log line with to, subject and the link, nothing sent', async () => {
    const logged = captureDevelopmentEmails();
    await sendEmail(EMAIL, { ...env, EMAIL_API_URL: undefined }, true);
    expect(logged.emails()).toEqual([{ to: EMAIL.to, subject: EMAIL.subject, url: EMAIL.link }]);
    expect(logged.verificationLink('JO@example.com')).toBe(EMAIL.link);
  });

  it('a production build without a mail API sends nothing and warns, never logging the link or the address', async () => {
    const logged = captureDevelopmentEmails();
    const warnings: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => warnings.push(String(line)));
    await sendEmail(EMAIL, { ...env, EMAIL_API_URL: undefined }, false);
    expect(logged.lines).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({
      level: 'warn',
      msg: 'E-mail not sent: no mail API is configured (set EMAIL_API_URL)',
      subject: EMAIL.subject,
    });
    expect(warnings[0]).not.toContain('secret-token');
    expect(warnings[0]).not.toContain(EMAIL.to);
  });

  it('posts {from, to, subject, text} with the Bearer key to the mail API, in development as in production', async () => {
    const logged = captureDevelopmentEmails();
    const configured = { ...env, EMAIL_API_URL: receiver.url, EMAIL_API_KEY: 're_test_key', APP_URL: 'https://billing.example.com' };
    await sendEmail(EMAIL, { ...configured, EMAIL_FROM: undefined }, false);
    await sendEmail(EMAIL, { ...configured, EMAIL_FROM: 'Acme <hello@acme.example>' }, true);
    expect(receiver.emails.slice(-2)).toEqual([
      { from: 'no-reply@billing.example.com', to: EMAIL.to, subject: EMAIL.subject, text: EMAIL.text, authorization: 'Bearer re_test_key' },
      { from: 'Acme <hello@acme.example>', to: EMAIL.to, subject: EMAIL.subject, text: EMAIL.text, authorization: 'Bearer re_test_key' },
    ]);
    expect(logged.lines).toEqual([]);
  });

  it('fails when the mail API refuses, naming its status and not the message', async () => {
    const refusing = receiver.url.replace('/emails', '/refused');
    await expect(sendEmail(EMAIL, { ...env, EMAIL_API_URL: refusing }, false)).rejects.toThrow(
      'The mail API answered 422 for "Confirm your e-mail address"',
    );
  });
});
