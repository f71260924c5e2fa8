import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureDevelopmentEmails } from '../../tests/support/development-emails';
import { PASSWORD_RESET_SUBJECT, sendPasswordResetLink } from './send-password-reset-link';

const FROM_REQUEST = 'http://evil.example/api/auth/reset-password/tok123?callbackURL=%2Freset-password';

afterEach(() => vi.restoreAllMocks());

describe('sendPasswordResetLink', () => {
  it('puts the link on the configured origin, whatever host the request named', async () => {
    const logged = captureDevelopmentEmails();
    await sendPasswordResetLink('jo@example.com', FROM_REQUEST, 'https://billing.example.com', false);
    expect(logged.link('jo@example.com', PASSWORD_RESET_SUBJECT)).toBe(
      'https://billing.example.com/api/auth/reset-password/tok123?callbackURL=%2Freset-password',
    );
  });

  it('a production build without APP_URL sends nothing and says what is missing, without the link', async () => {
    const logged = captureDevelopmentEmails();
    const warnings: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => warnings.push(String(line)));
    await sendPasswordResetLink('jo@example.com', FROM_REQUEST, undefined, false);
    expect(logged.lines).toEqual([]);
    expect(warnings.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'Password reset e-mail not sent: set APP_URL (the public origin its link must point to)',
    ]);
    expect(warnings.join('')).not.toContain('tok123');
  });
});
