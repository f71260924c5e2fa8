import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { testPool } from '../../tests/support/database';
import { captureDevelopmentEmails } from '../../tests/support/development-emails';

// The requests arrive through one trusted proxy (127.0.0.1), which appends the address it saw.
vi.hoisted(() => {
  process.env.TRUSTED_PROXIES = '127.0.0.1';
});

// getCurrentUser reads the request's headers through next/headers; here each test supplies them.
const requestHeaders = vi.hoisted(() => ({ current: new Headers() }));
vi.mock('next/headers', () => ({
  headers: async () => requestHeaders.current,
  cookies: async () => ({ get: () => undefined, set: () => {} }),
}));

const { getAuth } = await import('./auth');
const { getCurrentUser } = await import('./current-user');
const { requireAdmin } = await import('./admin');
const { grantAdminRole } = await import('./grant-admin-role');
const { PASSWORD_RESET_SUBJECT } = await import('./send-password-reset-link');

const pool = testPool(inject('databaseUrl'));
// Development logs each e-mail instead of sending it: the tests read the links from there.
const mail = captureDevelopmentEmails();
afterAll(async () => {
  mail.restore();
  await pool.end();
});

const PASSWORD = 'correct horse battery';

/** A client address of its own per test, so the per-address rate limits do not cross tests. */
function clientIp(): string {
  const [a = 1, b = 1, c = 1] = randomBytes(3);
  return `10.${a}.${b}.${c}`;
}

/** A request from `ip` through the trusted proxy; `forged` is what the client itself put in X-Forwarded-For. */
function post(path: string, body: Record<string, unknown>, ip: string, cookie?: string, forged?: string): Promise<Response> {
  const auth = getAuth();
  if (!auth) throw new Error('auth is configured outside production');
  return auth.handler(
    new Request(`http://localhost:3000/api/auth${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': [forged, ip, '127.0.0.1'].filter(Boolean).join(', '),
        origin: 'http://localhost:3000',
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify(body),
    }),
  );
}

function sessionCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith('better-auth.session_token='));
  if (!cookie) throw new Error(`no session cookie (status ${response.status})`);
  return cookie.split(';')[0] ?? '';
}

/** Follows the newest verification link logged for `email`, as its owner would: a redirect to the dashboard, signed in. */
async function followVerificationLink(email: string): Promise<string> {
  const auth = getAuth();
  if (!auth) throw new Error('auth is configured outside production');
  const response = await auth.handler(
    new Request(mail.verificationLink(email), { headers: { 'x-forwarded-for': `${clientIp()}, 127.0.0.1` } }),
  );
  expect(response.status).toBe(302);
  expect(response.headers.get('location')).toBe('/dashboard');
  return sessionCookie(response);
}

/** Signs up with PASSWORD and confirms the address through the logged link; returns the session cookie. */
async function signUpVerified(name: string, email: string): Promise<string> {
  const response = await post('/sign-up/email', { name, email, password: PASSWORD, callbackURL: '/dashboard' }, clientIp());
  expect(response.status).toBe(200);
  return followVerificationLink(email);
}

function freshEmail(): string {
  return `user-${randomBytes(6).toString('hex')}@Example.com`;
}

describe('email and password sign-in (Better Auth over Prisma)', () => {
  it('signs up into the users table with a hashed password and the user role, unverified and signed out until the link is followed', async () => {
    const email = freshEmail();
    const response = await post('/sign-up/email', { name: 'Jenny', email, password: PASSWORD, callbackURL: '/dashboard' }, clientIp());
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ token: null, user: { email: email.toLowerCase(), emailVerified: false } });
    expect(response.headers.getSetCookie().filter((value) => value.startsWith('better-auth.session_token='))).toEqual([]);

    const {
      rows: [user],
    } = await pool.query('SELECT id, email, name, role, email_verified, stripe_customer_id FROM users WHERE email = $1', [
      email.toLowerCase(),
    ]);
    expect(user).toMatchObject({
      email: email.toLowerCase(),
      name: 'Jenny',
      role: 'user',
      email_verified: false,
      stripe_customer_id: null,
    });
    const { rows: accounts } = await pool.query('SELECT provider_id, account_id, password FROM accounts WHERE user_id = $1', [user.id]);
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ provider_id: 'credential', account_id: user.id });
    expect(accounts[0].password).not.toContain(PASSWORD);
    expect((await pool.query('SELECT token FROM sessions WHERE user_id = $1', [user.id])).rows).toEqual([]);

    // Unverified, the right password is refused with a reason the sign-in form shows.
    const early = await post('/sign-in/email', { email, password: PASSWORD }, clientIp());
    expect(early.status).toBe(403);
    expect(await early.json()).toMatchObject({ code: 'EMAIL_NOT_VERIFIED' });

    // The link (on the request's origin: no APP_URL in development) verifies and signs in.
    expect(new URL(mail.verificationLink(email)).origin).toBe('http://localhost:3000');
    const cookie = await followVerificationLink(email);
    expect((await pool.query('SELECT email_verified FROM users WHERE id = $1', [user.id])).rows).toEqual([{ email_verified: true }]);
    expect((await pool.query('SELECT token FROM sessions WHERE user_id = $1', [user.id])).rows).toHaveLength(1);
    expect((await post('/sign-in/email', { email, password: PASSWORD }, clientIp())).status).toBe(200);

    requestHeaders.current = new Headers({ cookie });
    expect(await getCurrentUser()).toEqual({ id: user.id, email: email.toLowerCase(), stripeCustomerId: null, role: 'user' });

    // Signed in, a user still cannot make themselves an admin or point billing at another customer.
    const toAdmin = await post('/update-user', { role: 'admin' }, clientIp(), cookie);
    const toCustomer = await post('/update-user', { stripeCustomerId: 'cus_victim' }, clientIp(), cookie);
    expect([toAdmin.status, toCustomer.status]).toEqual([400, 400]);
    expect(await toAdmin.json()).toMatchObject({ code: 'FIELD_NOT_ALLOWED' });
    expect((await pool.query('SELECT role, stripe_customer_id FROM users WHERE id = $1', [user.id])).rows).toEqual([
      { role: 'user', stripe_customer_id: null },
    ]);
  });

  it('refuses a short password and a wrong password, and ignores a role chosen at sign-up', async () => {
    const email = freshEmail();
    const short = await post('/sign-up/email', { name: 'Shorty', email, password: 'seven77' }, clientIp());
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({ code: 'PASSWORD_TOO_SHORT' });

    // Someone else's Stripe customer cannot be claimed, and a role in the body is not taken.
    const withCustomer = await post(
      '/sign-up/email',
      { name: 'Mallory', email, password: PASSWORD, stripeCustomerId: 'cus_victim' },
      clientIp(),
    );
    expect(withCustomer.status).toBe(400);
    expect(await withCustomer.json()).toMatchObject({ code: 'FIELD_NOT_ALLOWED' });
    const asAdmin = await post(
      '/sign-up/email',
      { name: 'Mallory', email, password: PASSWORD, role: 'admin', callbackURL: '/dashboard' },
      clientIp(),
    );
    expect(asAdmin.status).toBe(200);
    const { rows } = await pool.query('SELECT role, stripe_customer_id FROM users WHERE email = $1', [email.toLowerCase()]);
    expect(rows).toEqual([{ role: 'user', stripe_customer_id: null }]);

    await followVerificationLink(email);
    const wrong = await post('/sign-in/email', { email, password: 'not the password' }, clientIp());
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'INVALID_EMAIL_OR_PASSWORD' });
    expect(wrong.headers.getSetCookie()).toEqual([]);

    const right = await post('/sign-in/email', { email: email.toUpperCase(), password: PASSWORD }, clientIp());
    expect(right.status).toBe(200);
  });

  it('answers a registered address exactly as a new one, changes nothing, and tells only the mailbox', async () => {
    const registered = freshEmail();
    await signUpVerified('Owner', registered);
    const before = await pool.query(
      `SELECT u.id, u.name, u.email_verified, u.updated_at, a.password FROM users u JOIN accounts a ON a.user_id = u.id WHERE u.email = $1`,
      [registered.toLowerCase()],
    );
    const emailsBefore = mail.emails().length;

    const fresh = freshEmail();
    const body = (email: string) => ({ name: 'Someone', email, password: 'another password 123', callbackURL: '/dashboard' });
    const [forNew, forRegistered] = [
      await post('/sign-up/email', body(fresh), clientIp()),
      await post('/sign-up/email', body(registered), clientIp()),
    ];
    expect([forNew.status, forRegistered.status]).toEqual([200, 200]);
    type SignUpAnswer = { token: unknown; user: Record<string, unknown> };
    const newBody = (await forNew.json()) as SignUpAnswer;
    const registeredBody = (await forRegistered.json()) as SignUpAnswer;
    // The same keys and the same values, but for the address itself, a fresh id and the moment.
    const comparable = ({ token, user }: SignUpAnswer) => ({ token, ...user, id: typeof user.id, email: '', createdAt: '', updatedAt: '' });
    expect(comparable(registeredBody)).toEqual(comparable(newBody));
    expect(registeredBody).toMatchObject({ token: null, user: { email: registered.toLowerCase(), emailVerified: false, name: 'Someone' } });
    expect(registeredBody.user.id).not.toBe(before.rows[0].id);
    expect(forRegistered.headers.getSetCookie()).toEqual(forNew.headers.getSetCookie());

    // Nothing about the registered account changed; its owner is told, and the new address gets its link.
    const after = await pool.query(
      `SELECT u.id, u.name, u.email_verified, u.updated_at, a.password FROM users u JOIN accounts a ON a.user_id = u.id WHERE u.email = $1`,
      [registered.toLowerCase()],
    );
    expect(after.rows).toEqual(before.rows);
    expect(
      mail
        .emails()
        .slice(emailsBefore)
        .map(({ to, subject }) => ({ to, subject })),
    ).toEqual([
      { to: fresh.toLowerCase(), subject: 'Confirm your e-mail address' },
      { to: registered.toLowerCase(), subject: 'You already have an account' },
    ]);
  });

  it('sends a new link on request to an unverified address only, answering alike for any address', async () => {
    const email = freshEmail();
    await post('/sign-up/email', { name: 'Late', email, password: PASSWORD, callbackURL: '/dashboard' }, clientIp());
    const emailsBefore = mail.emails().length;
    const again = await post('/send-verification-email', { email, callbackURL: '/dashboard' }, clientIp());
    const unknown = await post('/send-verification-email', { email: freshEmail(), callbackURL: '/dashboard' }, clientIp());
    expect([again.status, unknown.status]).toEqual([200, 200]);
    expect([await again.json(), await unknown.json()]).toEqual([{ status: true }, { status: true }]);
    expect(
      mail
        .emails()
        .slice(emailsBefore)
        .map(({ to }) => to),
    ).toEqual([email.toLowerCase()]);
    await followVerificationLink(email);
    expect((await pool.query('SELECT email_verified FROM users WHERE email = $1', [email.toLowerCase()])).rows).toEqual([
      { email_verified: true },
    ]);
  });

  it('rate-limits sign-in attempts per client address as the trusted proxy saw it, counted in the database', async () => {
    const email = freshEmail();
    const ip = clientIp();
    const attempts: number[] = [];
    // A client writing a fresh address of its own into X-Forwarded-For each time is still the same client.
    for (let i = 0; i < 4; i += 1)
      attempts.push((await post('/sign-in/email', { email, password: 'guess' }, ip, undefined, clientIp())).status);
    expect(attempts).toEqual([401, 401, 401, 429]);
    const { rows } = await pool.query('SELECT count FROM rate_limits WHERE key = $1', [`${ip}|/sign-in/email`]);
    expect(rows).toEqual([{ count: 3 }]);
    // Another client, as the proxy reports it, is not affected.
    expect((await post('/sign-in/email', { email: freshEmail(), password: 'guess' }, clientIp())).status).toBe(401);
  });

  it('limits sign-in attempts per account too, whatever address they come from', async () => {
    const email = freshEmail();
    await post('/sign-up/email', { name: 'Target', email, password: PASSWORD }, clientIp());
    const attempts: number[] = [];
    for (let i = 0; i < 10; i += 1) attempts.push((await post('/sign-in/email', { email, password: `guess-${i}` }, clientIp())).status);
    expect(attempts).toEqual(Array(10).fill(401));
    const refused = await post('/sign-in/email', { email: email.toUpperCase(), password: PASSWORD }, clientIp());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('x-retry-after'))).toBeGreaterThan(800);
    const { rows } = await pool.query('SELECT count FROM rate_limits WHERE key = $1', [`account:${email.toLowerCase()}|/sign-in/email`]);
    expect(rows).toEqual([{ count: 11 }]);
  });

  it('signs out: the session row is gone and the cookie no longer identifies anyone', async () => {
    const email = freshEmail();
    const cookie = await signUpVerified('Sam', email);
    const signOut = await post('/sign-out', {}, clientIp(), cookie);
    expect(signOut.status).toBe(200);
    expect(
      (await pool.query('SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1', [email.toLowerCase()])).rowCount,
    ).toBe(0);
    requestHeaders.current = new Headers({ cookie });
    expect(await getCurrentUser()).toBeNull();
  });
});

/** A GET of a Better Auth link (as a browser follows an e-mailed one), from a client address of its own. */
function follow(link: string): Promise<Response> {
  const auth = getAuth();
  if (!auth) throw new Error('auth is configured outside production');
  return auth.handler(new Request(link, { headers: { 'x-forwarded-for': `${clientIp()}, 127.0.0.1` } }));
}

/** Asks for a reset link for `email` as the forgot-password form does, follows it, and returns the token the page receives. */
async function resetToken(email: string): Promise<string> {
  const response = await post('/request-password-reset', { email, redirectTo: '/reset-password' }, clientIp());
  expect(response.status).toBe(200);
  const landing = await follow(mail.link(email, PASSWORD_RESET_SUBJECT));
  expect(landing.status).toBe(302);
  const location = new URL(landing.headers.get('location') ?? '');
  expect(location.pathname).toBe('/reset-password');
  return location.searchParams.get('token') ?? '';
}

describe('password reset', () => {
  it('answers a registered and an unknown address identically, and e-mails only the registered one', async () => {
    const registered = freshEmail();
    await signUpVerified('Reg', registered);
    const emailsBefore = mail.emails().length;
    const answers = [];
    for (const email of [registered, freshEmail()]) {
      const response = await post('/request-password-reset', { email, redirectTo: '/reset-password' }, clientIp());
      answers.push({ status: response.status, cookies: response.headers.getSetCookie(), body: await response.json() });
    }
    expect(answers[0]).toEqual({
      status: 200,
      cookies: [],
      body: { status: true, message: 'If this email exists in our system, check your email for the reset link' },
    });
    expect(answers[1]).toEqual(answers[0]);
    const sent = mail.emails().slice(emailsBefore);
    expect(sent.map(({ to, subject }) => ({ to, subject }))).toEqual([{ to: registered.toLowerCase(), subject: PASSWORD_RESET_SUBJECT }]);
    // The link goes through Better Auth, which checks the token before the page shows its form.
    expect(sent[0]?.url).toMatch(/^http:\/\/localhost:3000\/api\/auth\/reset-password\/\w+\?callbackURL=%2Freset-password$/);
  });

  it('sets a new password once: the old one stops working and every session is revoked', async () => {
    const email = freshEmail();
    const first = await signUpVerified('Forgetful', email);
    const second = sessionCookie(await post('/sign-in/email', { email, password: PASSWORD }, clientIp()));
    const {
      rows: [user],
    } = await pool.query('SELECT id FROM users WHERE email = $1', [email.toLowerCase()]);
    expect((await pool.query('SELECT 1 FROM sessions WHERE user_id = $1', [user.id])).rowCount).toBe(2);

    const token = await resetToken(email);
    const reset = await post('/reset-password', { newPassword: 'a brand new password', token }, clientIp());
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ status: true });

    expect((await pool.query('SELECT 1 FROM sessions WHERE user_id = $1', [user.id])).rowCount).toBe(0);
    for (const cookie of [first, second]) {
      requestHeaders.current = new Headers({ cookie });
      expect(await getCurrentUser()).toBeNull();
    }
    const old = await post('/sign-in/email', { email, password: PASSWORD }, clientIp());
    expect(old.status).toBe(401);
    expect((await post('/sign-in/email', { email, password: 'a brand new password' }, clientIp())).status).toBe(200);

    // The link works once; an unknown token is refused by the endpoint and by the link alike.
    const again = await post('/reset-password', { newPassword: 'yet another password', token }, clientIp());
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    const forged = await follow('http://localhost:3000/api/auth/reset-password/not-a-token?callbackURL=%2Freset-password');
    expect(forged.status).toBe(302);
    expect(forged.headers.get('location')).toBe('http://localhost:3000/reset-password?error=INVALID_TOKEN');
    expect((await post('/sign-in/email', { email, password: 'yet another password' }, clientIp())).status).toBe(401);
  });

  it('lets the owner take back an address someone else registered unconfirmed: confirmed, their password only', async () => {
    const email = freshEmail();
    // Someone registers the owner's address with their own password and never confirms it.
    expect(
      (await post('/sign-up/email', { name: 'Squatter', email, password: 'the squatter password', callbackURL: '/dashboard' }, clientIp()))
        .status,
    ).toBe(200);
    const {
      rows: [user],
    } = await pool.query('SELECT id, email_verified FROM users WHERE email = $1', [email.toLowerCase()]);
    expect(user.email_verified).toBe(false);

    // The owner's sign-up only says "check your e-mail"; the notice they get offers the reset.
    expect((await post('/sign-up/email', { name: 'Owner', email, password: PASSWORD, callbackURL: '/dashboard' }, clientIp())).status).toBe(
      200,
    );
    expect(mail.emails().at(-1)).toMatchObject({ to: email.toLowerCase(), subject: 'You already have an account' });
    const token = await resetToken(email);
    expect((await post('/reset-password', { newPassword: PASSWORD, token }, clientIp())).status).toBe(200);

    // Holding the mailbox proved ownership: confirmed, signed in with the owner's password only.
    expect((await pool.query('SELECT id, email_verified FROM users WHERE email = $1', [email.toLowerCase()])).rows).toEqual([
      { id: user.id, email_verified: true },
    ]);
    expect((await post('/sign-in/email', { email, password: 'the squatter password' }, clientIp())).status).toBe(401);
    const signedIn = await post('/sign-in/email', { email, password: PASSWORD }, clientIp());
    expect(signedIn.status).toBe(200);
    requestHeaders.current = new Headers({ cookie: sessionCookie(signedIn) });
    expect(await getCurrentUser()).toMatchObject({ id: user.id, email: email.toLowerCase() });
  });
});

describe('administrators', () => {
  it('404s signed-out visitors and ordinary users; admits a user once granted the admin role', async () => {
    requestHeaders.current = new Headers();
    await expect(requireAdmin()).rejects.toThrow('NEXT_HTTP_ERROR_FALLBACK;404');

    const email = freshEmail();
    expect((await post('/sign-up/email', { name: 'Ops', email, password: PASSWORD, callbackURL: '/dashboard' }, clientIp())).status).toBe(
      200,
    );

    // Not verified yet: refused unless forced; once its owner follows the link, granted.
    expect(await grantAdminRole({ email })).toBe('unverified');
    const cookie = await followVerificationLink(email);
    requestHeaders.current = new Headers({ cookie });
    await expect(requireAdmin()).rejects.toThrow('NEXT_HTTP_ERROR_FALLBACK;404');
    expect(await grantAdminRole({ email: ` ${email.toUpperCase()} ` })).toBe('granted');
    expect(await requireAdmin()).toMatchObject({ email: email.toLowerCase(), role: 'admin' });
  });

  it('grants nothing for an unknown email, and the database refuses any other role', async () => {
    expect(await grantAdminRole({ email: 'nobody-here@example.com' })).toBe('no_user');
    expect(await grantAdminRole({ email: 'nobody-here@example.com', force: true })).toBe('no_user');
    await expect(pool.query(`INSERT INTO users (email, role) VALUES ($1, 'owner')`, [freshEmail()])).rejects.toThrow(/users_role_check/);
  });
});

describe('demo sign-in', () => {
  it('exists outside production builds: any email, no password, same user on return', async () => {
    const email = freshEmail();
    const first = await post('/demo/sign-in', { email }, clientIp());
    expect(first.status).toBe(200);
    const { userId } = (await first.json()) as { userId: string };
    requestHeaders.current = new Headers({ cookie: sessionCookie(first) });
    expect(await getCurrentUser()).toMatchObject({ id: userId, email: email.toLowerCase(), role: 'user' });
    const again = await post('/demo/sign-in', { email: email.toLowerCase() }, clientIp());
    expect(await again.json()).toEqual({ userId });
  });
});
