import { expect, test, type Page } from '@playwright/test';
import { baseUrl, PASSWORD, screenshot, signIn, withDatabase } from './helpers';

test.describe.configure({ mode: 'serial' });

const MONTHLY = 'pro_monthly';

let sink: string[] = [];
const probed = new WeakSet<Page>();

/** Every CSP violation the page reports (console and `securitypolicyviolation` events) while `visit` runs. */
async function cspViolations(page: Page, visit: () => Promise<void>): Promise<string[]> {
  const violations: string[] = [];
  sink = violations;
  if (!probed.has(page)) {
    probed.add(page);
    page.on('console', (message) => {
      if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) sink.push(message.text());
    });
    await page.exposeFunction('__reportCspViolation', (text: string) => sink.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        (window as unknown as { __reportCspViolation: (text: string) => void }).__reportCspViolation(
          `${event.violatedDirective} ${event.blockedURI}`,
        );
      });
    });
  }
  await visit();
  return violations;
}

async function expectSecureDocument(page: Page, path: string) {
  const response = await page.goto(`${baseUrl()}${path}`);
  expect(response, path).not.toBeNull();
  const headers = response?.headers() ?? {};
  const csp = headers['content-security-policy'] ?? '';
  expect(csp, path).toContain("frame-ancestors 'none'");
  expect(csp, path).toMatch(/script-src 'self' 'nonce-/);
  expect(csp, path).not.toContain('unsafe-eval');
  expect(headers['x-content-type-options'], path).toBe('nosniff');
  expect(headers['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
  // The simulator takes the payments in this build, and every page says so.
  await expect(page.getByTestId('simulated-payments'), path).toContainText('Payments on this site are simulated');
  await page.waitForLoadState('networkidle');
}

test('every page carries the security headers, and its scripts run under the CSP with no violation', async ({ page }) => {
  const violations = await cspViolations(page, async () => {
    for (const path of [
      '/',
      '/pricing',
      '/sign-in',
      '/sign-up',
      `/sign-in?next=${encodeURIComponent('/pricing')}`,
      '/forgot-password',
      '/reset-password?token=csp-check',
      '/reset-password?error=INVALID_TOKEN',
    ])
      await expectSecureDocument(page, path);
    // Signing in runs the client-side form (React hydrated under the CSP), then the signed-in pages.
    await signIn(page, 'admin@example.com');
    for (const path of [
      '/dashboard',
      '/dashboard/analytics',
      '/checkout/success?session_id=cs_test_csp',
      '/admin/webhooks',
      '/admin/webhooks/evt_none',
      `/simulator/checkout?price=${MONTHLY}`,
      '/simulator/portal',
      '/no-such-page',
    ]) {
      await expectSecureDocument(page, path);
    }
  });
  expect(violations).toEqual([]);

  // The probe itself works: loading an image from another origin breaks img-src and is reported.
  const probe = await cspViolations(page, async () => {
    await page.goto(`${baseUrl()}/pricing`);
    await page.evaluate(() => {
      const image = document.createElement('img');
      image.src = 'https://evil.example/pixel.png';
      document.body.append(image);
    });
    await page.waitForTimeout(500);
  });
  expect(probe.join('\n')).toMatch(/img-src|evil\.example/);
});

test('sign-in follows only a path of this site: a tab-split "next" cannot send the browser away', async ({ page }) => {
  const email = `redirect+${Date.now()}@example.com`;
  await signIn(page, email);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();

  for (const next of ['/%09/evil.example/login', '/%5Cevil.example', '//evil.example']) {
    // As helpers' submitAuthForm does: a rate-limited attempt waits as long as the form says.
    for (;;) {
      await page.goto(`${baseUrl()}/sign-in?next=${next}`);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const error = page.locator('#sign-in-error');
      await page
        .waitForURL((url) => url.pathname === '/dashboard' || url.host !== new URL(baseUrl()).host || false, { timeout: 5_000 })
        .catch(() => {});
      if (!(await error.isVisible().catch(() => false))) break;
      const wait = /Try again in (\d+) seconds/.exec((await error.textContent()) ?? '');
      expect(wait, 'only a rate limit may stop this sign-in').not.toBeNull();
      await page.waitForTimeout(Number(wait?.[1] ?? 1) * 1_000);
    }
    expect(new URL(page.url()).origin, next).toBe(new URL(baseUrl()).origin);
    expect(new URL(page.url()).pathname, next).toBe('/dashboard');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  }
  await screenshot(page, 'signed-out-after-redirect-checks');
  const { rows } = await withDatabase((client) => client.query('SELECT 1 FROM users WHERE email = $1', [email]));
  expect(rows).toHaveLength(1);
});
