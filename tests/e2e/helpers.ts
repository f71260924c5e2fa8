import { mkdirSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';
import pg from 'pg';
import { verificationLink } from '../support/mail-receiver';

export const baseUrl = () => process.env.E2E_BASE_URL ?? '';
/** The mail API the app sends its e-mails to (tests/support/mail-receiver.ts, started by the global setup). */
export const mailUrl = () => process.env.E2E_MAIL_URL ?? '';

/** What the sign-up form shows once it was submitted, for a new address and a registered one alike. */
export const CHECK_EMAIL = 'Check your e-mail to confirm your address';
export const SCREENSHOTS = 'test-results/screenshots';

/** Every account the tests create has this password. */
export const PASSWORD = 'e2e-correct-horse-battery';

/**
 * Fills a sign-in or sign-up form and submits it, as a person would: when the rate limit answers
 * "Try again in N seconds", waits that long and submits again. Returns 'dashboard' once signed in,
 * 'check-email' once sign-up asks to confirm the address, else the form's error message.
 */
export async function submitAuthForm(page: Page, path: '/sign-in' | '/sign-up', fields: Record<string, string>): Promise<string> {
  const button = path === '/sign-in' ? 'Sign in' : 'Create account';
  const error = page.locator(path === '/sign-in' ? '#sign-in-error' : '#sign-up-error');
  const sent = page.locator('#sign-up-sent');
  for (;;) {
    await page.goto(`${baseUrl()}${path}`);
    for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByRole('button', { name: button, exact: true }).click();
    await expect(error.or(sent).or(page.getByTestId('plan-name'))).toBeVisible();
    if (new URL(page.url()).pathname === '/dashboard') return 'dashboard';
    if (await sent.isVisible()) return 'check-email';
    const message = (await error.textContent()) ?? '';
    const wait = /Try again in (\d+) seconds/.exec(message);
    if (!wait) return message;
    await page.waitForTimeout(Number(wait[1]) * 1_000);
  }
}

/** Follows the link of the newest verification e-mail the app sent to `email`: it confirms the address and signs in. */
export async function followVerificationLink(page: Page, email: string) {
  await page.goto(await verificationLink(mailUrl(), email));
  await expect(page).toHaveURL(/\/dashboard$/);
}

/**
 * Signs in through the real forms with PASSWORD; an address seen for the first time signs up and
 * confirms itself with the link the app e-mailed.
 */
export async function signIn(page: Page, email: string) {
  const signedIn = await submitAuthForm(page, '/sign-in', { Email: email, Password: PASSWORD });
  if (signedIn !== 'dashboard') {
    expect(signedIn).toBe('Invalid email or password');
    expect(await submitAuthForm(page, '/sign-up', { Name: email.split('@')[0] ?? email, Email: email, Password: PASSWORD })).toBe(
      'check-email',
    );
    await expect(page.locator('#sign-up-sent')).toContainText(CHECK_EMAIL);
    await followVerificationLink(page, email);
  }
  await expect(page).toHaveURL(/\/dashboard$/);
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

export async function withDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
