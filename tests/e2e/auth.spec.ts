import { expect, test } from '@playwright/test';
import { passwordResetLink, type ReceivedEmail } from '../support/mail-receiver';
import {
  baseUrl,
  CHECK_EMAIL,
  followVerificationLink,
  mailUrl,
  PASSWORD,
  screenshot,
  signIn,
  submitAuthForm,
  withDatabase,
} from './helpers';

test.describe.configure({ mode: 'serial' });

const email = `casey+${Date.now()}@example.com`;

test('sign-up -> check your e-mail -> link -> simulator checkout -> dashboard shows Pro', async ({ page }) => {
  await page.goto(`${baseUrl()}/sign-in`);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page).toHaveURL(/\/sign-up\?next=%2Fdashboard$/);
  await screenshot(page, 'sign-up');
  expect(await submitAuthForm(page, '/sign-up', { Name: 'Casey', Email: email, Password: PASSWORD })).toBe('check-email');
  await expect(page.locator('#sign-up-sent')).toContainText(CHECK_EMAIL);
  await screenshot(page, 'sign-up-check-email');
  // The link from the e-mail confirms the address and lands on the dashboard, signed in.
  await followVerificationLink(page, email);
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

test('forgot password -> link from the e-mail -> new password -> signed in with it; other sessions end', async ({ page }) => {
  const forgetful = `forgetful+${Date.now()}@example.com`;
  await signIn(page, forgetful);

  // The form answers an unknown address exactly as a registered one.
  const answers: string[] = [];
  for (const address of [forgetful, `nobody+${Date.now()}@example.com`]) {
    await page.goto(`${baseUrl()}/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await expect(page).toHaveURL(/\/forgot-password$/);
    await page.getByLabel('Email', { exact: true }).fill(address);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await expect(page.locator('#forgot-password-sent')).toBeVisible();
    answers.push(await page.locator('main').innerText());
  }
  expect(answers[1]).toBe(answers[0]);
  expect(answers[0]).toContain('If an account exists for this address, we sent a link');
  await screenshot(page, 'forgot-password-sent');

  await page.goto(await passwordResetLink(mailUrl(), forgetful));
  await expect(page).toHaveURL(/\/reset-password\?token=/);
  await page.getByLabel('New password', { exact: true }).fill('e2e-a-new-password');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.locator('#reset-password-done')).toContainText('Your password is changed');
  // The session this browser had before the reset is over, and the header says so at once.
  await expect(page.getByLabel('Signed in as')).toHaveCount(0);
  await screenshot(page, 'reset-password-done');
  await page.goto(`${baseUrl()}/dashboard`);
  await expect(page).toHaveURL(/\/sign-in\?next=\/dashboard$/);

  expect(await submitAuthForm(page, '/sign-in', { Email: forgetful, Password: PASSWORD })).toBe('Invalid email or password');
  expect(await submitAuthForm(page, '/sign-in', { Email: forgetful, Password: 'e2e-a-new-password' })).toBe('dashboard');
  await expect(page.getByLabel('Signed in as')).toHaveText(forgetful);
});

test('an unknown reset link says so, at the link and on submit, and offers a new one', async ({ page }) => {
  await page.goto(`${baseUrl()}/api/auth/reset-password/not-a-token?callbackURL=%2Freset-password`);
  await expect(page).toHaveURL(/\/reset-password\?error=INVALID_TOKEN$/);
  await expect(page.locator('#reset-password-error')).toContainText('This link is invalid or has expired.');
  // A token that passes the link but is refused on submit (here: made up) says the same.
  await page.goto(`${baseUrl()}/reset-password?token=made-up-token`);
  await page.getByLabel('New password', { exact: true }).fill('e2e-a-new-password');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.locator('#reset-password-error')).toContainText('This link is invalid or has expired.');
  await page.getByRole('link', { name: 'Ask for a new link' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
});

/** How many "Confirm your e-mail address" e-mails the app sent to `to`. */
async function confirmationsTo(to: string): Promise<number> {
  const emails = (await (await fetch(mailUrl())).json()) as ReceivedEmail[];
  return emails.filter((email) => email.to === to && email.subject === 'Confirm your e-mail address').length;
}

test('sign-up answers a registered address as a new one; an unconfirmed account is told why and can get its link again', async ({
  page,
}) => {
  expect(await submitAuthForm(page, '/sign-up', { Name: 'Mallory', Email: email, Password: 'mallory-password-1' })).toBe('check-email');
  const forRegistered = await page.locator('main').innerText();
  const pending = `pending+${Date.now()}@example.com`;
  expect(await submitAuthForm(page, '/sign-up', { Name: 'Pat', Email: pending, Password: PASSWORD })).toBe('check-email');
  expect(await page.locator('main').innerText()).toBe(forRegistered);
  expect(forRegistered).toContain(CHECK_EMAIL);
  const { rows } = await withDatabase((client) => client.query('SELECT name FROM users WHERE email = $1', [email]));
  expect(rows).toEqual([{ name: 'Casey' }]);

  expect(await submitAuthForm(page, '/sign-in', { Email: pending, Password: PASSWORD })).toBe(
    'Confirm your e-mail address first: follow the link we sent you.',
  );
  expect(await confirmationsTo(pending)).toBe(1);
  await page.getByRole('button', { name: 'Send the link again' }).click();
  await expect(page.getByText('A new link is on its way: check your e-mail.')).toBeVisible();
  await screenshot(page, 'sign-in-unverified');
  await expect.poll(() => confirmationsTo(pending)).toBe(2);
  await followVerificationLink(page, pending);
  await expect(page.getByLabel('Signed in as')).toHaveText(pending);
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
