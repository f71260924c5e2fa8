import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureDevelopmentEmails } from '../../tests/support/development-emails';
import { sendVerificationLink } from './send-verification-link';

const FROM_REQUEST = 'http://evil.example/api/auth/verify-email?token=abc.def&callbackURL=%2Fdashboard';

afterEach(() => vi.restoreAllMocks());

describe('sendVerificationLink', () => {
  it('puts the link on the configured origin, whatever host the request named', async () => {
    const logged = captureDevelopmentEmails();
    await sendVerificationLink('Jo@Example.com', FROM_REQUEST, 'https://billing.example.com', false);
    expect(logged.emails()).toEqual([
      {
        to: 'Jo@Example.com',
        subject: 'Confirm your e-mail address',
        url: 'https://billing.example.com/api/auth/verify-email?token=abc.def&callbackURL=%2Fdashboard',
      },
    ]);
  });

  it('development without a configured origin keeps the link Better Auth made from the request', async () => {
    const logged = captureDevelopmentEmails();
    await sendVerificationLink('jo@example.com', FROM_REQUEST, undefined, true);
    expect(logged.verificationLink('jo@example.com')).toBe(FROM_REQUEST);
  });

  it('a production build without APP_URL sends nothing and says what is missing, without the link', async () => {
    const logged = captureDevelopmentEmails();
    const warnings: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => warnings.push(String(line)));
    await sendVerificationLink('jo@example.com', FROM_REQUEST, undefined, false);
    expect(logged.lines).toEqual([]);
    expect(warnings.map((line) => JSON.parse(line) as { msg: string })).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'Verification e-mail not sent: set APP_URL (the public origin its link must point to)',
      }),
    ]);
    expect(warnings.join('')).not.toContain('abc.def');
  });
});
