import { expect, test } from '@playwright/test';
import { baseUrl, PASSWORD, screenshot, signIn, submitAuthForm, withDatabase } from './helpers';

test.describe.configure({ mode: 'serial' });

const email = `casey+${Date.now()}@example.com`;

test('sign-up -> simulator checkout -> dashboard shows Pro', async ({ page }) => {
  await page.goto(`${baseUrl()}/sign-in`);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page).toHaveURL(/\/sign-up\?next=%2Fdashboard$/);
  await screenshot(page, 'sign-up');
  expect(await submitAuthForm(page, '/sign-up', { Name: 'Casey', Email: email, Password: PASSWORD })).toBe('dashboard');
  await expect(page.getByLabel('Signed in as')).toHaveText(email);
  await expect(page.getByTestId('plan-name')).toHaveText('Free');
  const { rows } = await withDatabase((client) => client.query('SELECT name, role FROM users WHERE email = $1', [email]));
  expect(rows).toEqual([{ name: 'Casey', role: 'user' }]);

  await page.goto(`${baseUrl()}/pricing`);
  await page.getByRole('button', { name: 'Choose Pro Monthly' }).click();
  await expect(page).toHaveURL(/\/simulator\/checkout\?price=/);
  await page.getByRole('button', { name: 'Pay $20' }).click();
  await expect(page.getByRole('status')).toContainText("You're on Pro", { timeout: 30_000 });
  await page.getByRole('link', { name: 'Go to your dashboard' }).click();
  await expect(page.getByTestId('plan-name')).toHaveText('Pro');
  await expect(page.getByTestId('billing-period')).toHaveText('Monthly');
});

test('sign-out ends the session; signing in again finds the same Pro account', async ({ page }) => {
  await signIn(page, email);
  await expect(page.getByTestId('plan-name')).toHaveText('Pro');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(`${baseUrl()}/`);
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await page.goto(`${baseUrl()}/dashboard`);
  await expect(page).toHaveURL(/\/sign-in\?next=\/dashboard$/);
  expect((await page.context().cookies()).filter((cookie) => cookie.name.includes('session_token'))).toEqual([]);

  await signIn(page, email);
  await expect(page.getByTestId('plan-name')).toHaveText('Pro');
});

test('a wrong password is refused', async ({ page }) => {
  expect(await submitAuthForm(page, '/sign-in', { Email: email, Password: 'not-the-password' })).toBe('Invalid email or password');
  await expect(page).toHaveURL(/\/sign-in$/);
  await screenshot(page, 'sign-in-wrong-password');
  await page.goto(`${baseUrl()}/dashboard`);
  await expect(page).toHaveURL(/\/sign-in\?next=\/dashboard$/);
});

test('a signed-in user who is not an administrator gets 404 on the admin pages', async ({ page }) => {
  await signIn(page, email);
  await expect(page.getByRole('link', { name: 'Webhooks' })).toHaveCount(0);
  expect((await page.goto(`${baseUrl()}/admin/webhooks`))?.status()).toBe(404);
  expect((await page.goto(`${baseUrl()}/admin/webhooks/evt_anything`))?.status()).toBe(404);
});

test('the production build has no demo sign-in', async ({ page }) => {
  await page.goto(`${baseUrl()}/sign-in`);
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Create an account' })).toBeVisible();
  await expect(page.getByText(/demo/i)).toHaveCount(0);
  await expect(page.getByLabel('Demo email')).toHaveCount(0);
  await screenshot(page, 'sign-in');

  // The endpoint the development form posts to does not exist here: no session, no user.
  const intruder = `intruder+${Date.now()}@example.com`;
  const response = await page.request.post(`${baseUrl()}/api/auth/demo/sign-in`, {
    data: { email: intruder },
    headers: { origin: baseUrl() },
  });
  expect(response.status()).toBe(404);
  expect(response.headers()['set-cookie']).toBeUndefined();
  const { rows } = await withDatabase((client) => client.query('SELECT 1 FROM users WHERE email = $1', [intruder]));
  expect(rows).toEqual([]);
  // Nor can an administrator's address be taken over by signing in without the password.
  const { rows: admins } = await withDatabase((client) => client.query(`SELECT email FROM users WHERE role = 'admin'`));
  expect(admins).toEqual([{ email: 'admin@example.com' }]);
});
