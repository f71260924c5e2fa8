import { mkdirSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';
import pg from 'pg';

export const baseUrl = () => process.env.E2E_BASE_URL ?? '';
export const SCREENSHOTS = 'test-results/screenshots';

/** Every account the tests create has this password. */
export const PASSWORD = 'e2e-correct-horse-battery';

/**
 * Fills a sign-in or sign-up form and submits it, as a person would: when the rate limit answers
 * "Try again in N seconds", waits that long and submits again. Returns 'dashboard' once signed in,
 * else the form's error message.
 */
export async function submitAuthForm(page: Page, path: '/sign-in' | '/sign-up', fields: Record<string, string>): Promise<string> {
  const button = path === '/sign-in' ? 'Sign in' : 'Create account';
  const error = page.locator(path === '/sign-in' ? '#sign-in-error' : '#sign-up-error');
  for (;;) {
    await page.goto(`${baseUrl()}${path}`);
    for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByRole('button', { name: button, exact: true }).click();
    await expect(error.or(page.getByTestId('plan-name'))).toBeVisible();
    if (new URL(page.url()).pathname === '/dashboard') return 'dashboard';
    const message = (await error.textContent()) ?? '';
    const wait = /Try again in (\d+) seconds/.exec(message);
    if (!wait) return message;
    await page.waitForTimeout(Number(wait[1]) * 1_000);
  }
}

/** Signs in through the real forms with PASSWORD; an address seen for the first time signs up. */
export async function signIn(page: Page, email: string) {
  const signedIn = await submitAuthForm(page, '/sign-in', { Email: email, Password: PASSWORD });
  if (signedIn !== 'dashboard') {
    expect(signedIn).toBe('Invalid email or password');
    expect(await submitAuthForm(page, '/sign-up', { Name: email.split('@')[0] ?? email, Email: email, Password: PASSWORD })).toBe(
      'dashboard',
    );
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
