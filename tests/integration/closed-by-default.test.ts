import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { CLIENT_ADDRESS_WARNING } from '../../lib/auth/client-address-source';
import { findCatalogPrice } from '../../lib/billing/catalog';
import { billingOf } from '../../lib/dev/simulate-checkout';
import { buildTestEvent } from '../../lib/dev/test-events';
import { DEVELOPMENT_WEBHOOK_SECRET } from '../../lib/env';
import { type AppServer, startApp, TEST_WEBHOOK_SECRETS } from '../support/app-server';
import { deliver } from '../support/deliver';
import { testPool } from '../support/database';
import { passwordResetLink, receivedEmail, startMailReceiver, verificationLink } from '../support/mail-receiver';
import { postAuth, signUpVerified } from '../support/sign-up';
import { eventBody, freshScenario, signatureHeader } from '../support/stripe-events';

// Servers started from the production build with NODE_ENV=test: what a staging box might run. No
// development default may apply to them, whatever NODE_ENV says.
const pool = testPool(inject('databaseUrl'));
const sharedAppUrl = inject('appUrl');
const EVIL = 'https://evil.example';
const MONTHLY = 'pro_monthly';

let app: AppServer;
let bare: AppServer;
let cookie = '';
let mail: Awaited<ReturnType<typeof startMailReceiver>>;

beforeAll(async () => {
  mail = await startMailReceiver();
  const database = { databaseUrl: inject('appDatabaseUrl') };
  [app, bare] = await Promise.all([
    // Configured as an operator would, except the webhook secret (left out on purpose).
    startApp({
      ...database,
      appUrlFromPort: true,
      env: {
        ...inject('appDatabaseEnv'),
        NODE_ENV: 'test',
        STRIPE_WEBHOOK_SECRET: '',
        STRIPE_SIMULATOR: 'true',
        BETTER_AUTH_SECRET: 'integration-better-auth-secret-0123456789ab',
        EMAIL_API_URL: mail.url,
      },
    }),
    // Nothing configured at all.
    startApp({ ...database, env: { ...inject('appDatabaseEnv'), NODE_ENV: 'test', STRIPE_WEBHOOK_SECRET: '' } }),
  ]);
  ({ cookie } = await signUpVerified({
    appUrl: app.url,
    mailUrl: mail.url,
    name: 'Robin',
    email: `robin+${randomBytes(4).toString('hex')}@example.com`,
    password: 'closed-by-default-password',
  }));
});

afterAll(async () => {
  await Promise.all([app?.stop(), bare?.stop(), mail?.close()]);
  await pool.end();
});

function postForm(url: string, headers: Record<string, string>, body = `lookupKey=${MONTHLY}`): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
    body,
  });
}

describe("state-changing billing routes accept only the app's own origin (403) and bounded forms (413)", () => {
  const routes = ['/api/checkout', '/api/billing/portal', '/api/billing/subscription', '/simulator/subscription'];

  it.each(routes)('%s refuses another origin, a foreign Referer, an opaque origin and a request with neither', async (route) => {
    for (const headers of [{ origin: EVIL }, { referer: `${EVIL}/page` }, { origin: 'null', referer: `${app.url}/pricing` }, {}] as Record<
      string,
      string
    >[]) {
      const response = await postForm(`${app.url}${route}`, headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(await response.json()).toEqual({ error: 'Cross-site request refused.' });
      expect(response.headers.get('location')).toBeNull();
    }
  });

  it("lets the app's own form through, by Origin or by Referer", async () => {
    for (const headers of [{ origin: app.url }, { referer: `${app.url}/pricing` }] as Record<string, string>[]) {
      const response = await postForm(`${app.url}/api/checkout`, headers);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`${app.url}/simulator/checkout?price=${MONTHLY}`);
    }
  });

  it('refuses a form body over 16 KiB with 413, declared or not', async () => {
    const large = `lookupKey=${MONTHLY}&pad=${'x'.repeat(17 * 1024)}`;
    const declared = await postForm(`${app.url}/api/checkout`, { origin: app.url }, large);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: 'Form too large.' });
    const streamed = await fetch(`${app.url}/api/checkout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: app.url },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(large));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('answers a failure with its own status to an API client, and sends a browser back to the page with the message', async () => {
    const missing = await postForm(`${app.url}/api/checkout`, { origin: app.url }, 'lookupKey=');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'Unknown price.' });
    const portal = await postForm(`${app.url}/api/billing/portal`, { origin: app.url, accept: 'text/html' }, '');
    expect(portal.status).toBe(303);
    expect(portal.headers.get('location')).toBe(
      `${app.url}/dashboard?error=${encodeURIComponent('No billing account yet: subscribe first.')}`,
    );
  });

  it('leaves the webhook to its signature: Stripe posts without an Origin, and a foreign one changes nothing', async () => {
    const body = eventBody('customer.subscription.created', freshScenario());
    const response = await fetch(`${sharedAppUrl}/api/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: EVIL,
        'stripe-signature': signatureHeader(body, TEST_WEBHOOK_SECRETS[0] ?? ''),
      },
      body,
    });
    expect(response.status).toBe(200);
  });
});

describe('accounts: sign-up tells nobody whether an address is registered, and sign-in needs a confirmed one', () => {
  it('answers a new and a registered address alike over HTTP, e-mails each its own message on APP_URL, and logs no link', async () => {
    const registered = `taken+${randomBytes(4).toString('hex')}@example.com`;
    const owner = await signUpVerified({ appUrl: app.url, mailUrl: mail.url, email: registered, password: 'the owner password 1' });
    const before = await pool.query(
      'SELECT u.name, u.updated_at, a.password FROM users u JOIN accounts a ON a.user_id = u.id WHERE u.id = $1',
      [owner.userId],
    );

    const fresh = `new+${randomBytes(4).toString('hex')}@example.com`;
    const answers = [];
    for (const email of [fresh, registered]) {
      // A forged forwarded host changes nothing: links are built on APP_URL.
      const response = await postAuth(
        app.url,
        '/sign-up/email',
        { name: 'Intruder', email, password: 'intruder password 1', callbackURL: '/dashboard' },
        { 'x-forwarded-host': 'evil.example' },
      );
      const body = (await response.json()) as { token: unknown; user: Record<string, unknown> };
      answers.push({
        status: response.status,
        cookies: response.headers.getSetCookie(),
        contentType: response.headers.get('content-type'),
        token: body.token,
        keys: Object.keys(body.user).sort(),
        user: { ...body.user, id: typeof body.user.id, email: typeof body.user.email, createdAt: 'at', updatedAt: 'at' },
      });
    }
    expect(answers[0]).toMatchObject({ status: 200, cookies: [], token: null, user: { name: 'Intruder', emailVerified: false } });
    expect(answers[1]).toEqual(answers[0]);

    // The registered account is untouched; each mailbox gets its message, with links on APP_URL.
    const after = await pool.query(
      'SELECT u.name, u.updated_at, a.password FROM users u JOIN accounts a ON a.user_id = u.id WHERE u.id = $1',
      [owner.userId],
    );
    expect(after.rows).toEqual(before.rows);
    expect((await pool.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [registered])).rows).toEqual([{ n: 1 }]);
    const link = await verificationLink(mail.url, fresh);
    expect(new URL(link).origin).toBe(app.url);
    const notice = await receivedEmail(mail.url, registered, 'You already have an account');
    expect(notice.text).toContain(`${app.url}/sign-in`);
    expect(notice.text).toContain(`${app.url}/forgot-password`);
    expect(mail.emails.filter((email) => email.to === registered).map((email) => email.subject)).toEqual([
      'Confirm your e-mail address',
      'You already have an account',
    ]);
    // A production build never writes a verification link to its log.
    expect(app.logs()).not.toContain('verify-email');
  });

  it('refuses to sign in an unconfirmed address with a reason, until its link is followed', async () => {
    const email = `pending+${randomBytes(4).toString('hex')}@example.com`;
    expect((await postAuth(app.url, '/sign-up/email', { name: 'Pending', email, password: 'pending password 1' })).status).toBe(200);
    const early = await postAuth(app.url, '/sign-in/email', { email, password: 'pending password 1' });
    expect(early.status).toBe(403);
    expect(await early.json()).toMatchObject({ code: 'EMAIL_NOT_VERIFIED' });
    const verified = await fetch(await verificationLink(mail.url, email), { redirect: 'manual' });
    expect(verified.status).toBe(302);
    expect((await pool.query('SELECT email_verified FROM users WHERE email = $1', [email])).rows).toEqual([{ email_verified: true }]);
    expect((await postAuth(app.url, '/sign-in/email', { email, password: 'pending password 1' })).status).toBe(200);
  });
});

describe('password reset', () => {
  it('e-mails the reset link on APP_URL despite a forged forwarded host, answering an unknown address alike', async () => {
    const email = `reset+${randomBytes(4).toString('hex')}@example.com`;
    await signUpVerified({ appUrl: app.url, mailUrl: mail.url, email, password: 'the old password 1' });
    const forged = { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    const answers = [];
    for (const address of [email, `nobody+${randomBytes(4).toString('hex')}@example.com`]) {
      const response = await postAuth(app.url, '/request-password-reset', { email: address, redirectTo: '/reset-password' }, forged);
      answers.push({ status: response.status, cookies: response.headers.getSetCookie(), body: await response.text() });
    }
    expect(answers[0]).toMatchObject({ status: 200, cookies: [] });
    expect(answers[1]).toEqual(answers[0]);

    const link = await passwordResetLink(mail.url, email);
    expect(new URL(link).origin).toBe(app.url);
    const landing = await fetch(link, { redirect: 'manual', headers: forged });
    expect(landing.status).toBe(302);
    const page = new URL(landing.headers.get('location') ?? '');
    expect(`${page.origin}${page.pathname}`).toBe(`${app.url}/reset-password`);
    const reset = await postAuth(app.url, '/reset-password', { newPassword: 'the new password 1', token: page.searchParams.get('token') });
    expect(reset.status).toBe(200);
    expect((await postAuth(app.url, '/sign-in/email', { email, password: 'the old password 1' })).status).toBe(401);
    expect((await postAuth(app.url, '/sign-in/email', { email, password: 'the new password 1' })).status).toBe(200);
    // A production build never writes a reset link to its log.
    expect(app.logs()).not.toContain('reset-password/');
  });
});

describe('security headers', () => {
  it('puts a nonce-based CSP without eval and framing on every page, and nosniff, Referrer-Policy and HSTS everywhere', async () => {
    const nonces = new Set<string>();
    for (const path of ['/', '/sign-in', '/pricing']) {
      const response = await fetch(`${app.url}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-eval');
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1] ?? '';
      expect(await response.text()).toContain(`nonce="${nonce}"`);
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(3);
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/api/health'],
      ['POST', '/api/webhooks/stripe'],
      ['POST', '/webhooks/stripe'],
    ] as const) {
      const response = await fetch(`${app.url}${path}`, { method });
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
      expect(response.headers.get('strict-transport-security'), path).toMatch(/^max-age=\d+/);
      expect(response.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
    }
  });
});

describe('no development default in a production build, whatever NODE_ENV says', () => {
  it('refuses events signed with the public development secret when no secret is configured', async () => {
    const body = eventBody('customer.subscription.created', freshScenario());
    for (const server of [app, bare]) {
      const delivery = await deliver(server.url, body, { secret: DEVELOPMENT_WEBHOOK_SECRET });
      expect(delivery).toEqual({ status: 500, body: { error: 'STRIPE_WEBHOOK_SECRET is not configured' } });
    }
    expect((await pool.query("SELECT 1 FROM stripe_webhook_events WHERE payload->>'id' = $1", [JSON.parse(body).id])).rows).toEqual([]);
  });

  it('has no session secret, demo sign-in or simulator of its own', async () => {
    expect(await (await fetch(`${bare.url}/sign-in`)).text()).toContain('Sign-in is not configured on this deployment');
    expect(
      (
        await fetch(`${bare.url}/api/auth/sign-in/email`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: bare.url },
          body: '{}',
        })
      ).status,
    ).toBe(503);
    expect((await fetch(`${bare.url}/simulator/checkout?price=${MONTHLY}`)).status).toBe(404);
    expect(
      (
        await fetch(`${app.url}/api/auth/demo/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: app.url },
          body: '{"email":"x@example.com"}',
        })
      ).status,
    ).toBe(404);
  });

  it('says on every page that payments are simulated, and that the missing webhook secret stops them', async () => {
    for (const path of ['/', '/pricing', '/sign-in']) {
      const page = await (await fetch(`${app.url}${path}`)).text();
      expect(page).toContain('Payments on this site are simulated');
      expect(page).toContain('STRIPE_WEBHOOK_SECRET is not set');
    }
    expect(await (await fetch(`${bare.url}/`)).text()).not.toContain('Payments on this site are simulated');
  });

  it('lets a real key end the simulator: the rows it made stay stored but no longer unlock Pro', async () => {
    const customer = await signUpVerified({
      appUrl: app.url,
      mailUrl: mail.url,
      email: `simulated+${randomBytes(4).toString('hex')}@example.com`,
      password: 'simulated customer 1',
    });
    // The subscription the simulator's checkout posts, delivered (the simulator here has no secret to sign with).
    const price = findCatalogPrice(MONTHLY);
    if (!price) throw new Error(`${MONTHLY} is not in the catalog`);
    const ids = { ...freshScenario(), userId: customer.userId };
    const body = buildTestEvent('customer.subscription.created', { ids, price: billingOf(price), status: 'active' });
    expect((await deliver(sharedAppUrl, body, { secret: TEST_WEBHOOK_SECRETS[0] })).status).toBe(200);
    const status = async (url: string) => {
      const response = await fetch(`${url}/api/billing/status`, { headers: { cookie: customer.cookie } });
      expect(response.status).toBe(200);
      return (await response.json()) as { plan: string };
    };
    expect(await status(app.url)).toMatchObject({ plan: 'pro' });

    // The same deployment once the operator sets a real key (STRIPE_SIMULATOR still left on).
    const keyed = await startApp({
      databaseUrl: inject('appDatabaseUrl'),
      appUrlFromPort: true,
      env: {
        ...inject('appDatabaseEnv'),
        STRIPE_SIMULATOR: 'true',
        STRIPE_SECRET_KEY: 'sk_test_51RealLookingKey0123456789abcdef',
        BETTER_AUTH_SECRET: 'integration-better-auth-secret-0123456789ab',
      },
    });
    try {
      expect(await status(keyed.url)).toMatchObject({ plan: 'free' });
      const dashboard = await (await fetch(`${keyed.url}/dashboard`, { headers: { cookie: customer.cookie } })).text();
      expect(dashboard).toMatch(/data-testid="plan-name"[^>]*>Free</);
      expect(dashboard).not.toContain('Payments on this site are simulated');
    } finally {
      await keyed.stop();
    }
    expect(
      (await pool.query('SELECT plan, is_active FROM user_subscriptions WHERE stripe_subscription_id = $1', [ids.subscriptionId])).rows,
    ).toEqual([{ plan: 'pro', is_active: true }]);
  });

  it("builds no URL from the request's Host without APP_URL: the billing routes refuse (503) and say what is missing", async () => {
    const response = await fetch(`${bare.url}/api/checkout`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        host: 'evil.example',
        'x-forwarded-host': 'evil.example',
        origin: EVIL,
      },
      body: `lookupKey=${MONTHLY}`,
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('location')).toBeNull();
    expect((await response.json()) as unknown).toEqual({
      error: "This deployment has no APP_URL: set it to the app's public URL (https://your.app).",
    });
  });
});

describe('client addresses', () => {
  it('a bare next start, with no trusted proxy and not on Vercel, says at start and in /api/health that clients choose their own address', async () => {
    expect(bare.logs()).toContain(CLIENT_ADDRESS_WARNING);
    const health = (await (await fetch(`${bare.url}/api/health`)).json()) as { warning?: string };
    expect(health.warning).toContain(CLIENT_ADDRESS_WARNING);
  });

  it('behind TRUSTED_PROXIES it says nothing of the kind', async () => {
    const proxied = await startApp({
      databaseUrl: inject('appDatabaseUrl'),
      env: { ...inject('appDatabaseEnv'), TRUSTED_PROXIES: '127.0.0.1' },
    });
    try {
      const health = (await (await fetch(`${proxied.url}/api/health`)).json()) as { warning?: string };
      expect(health.warning ?? '').not.toContain(CLIENT_ADDRESS_WARNING);
      expect(proxied.logs()).not.toContain(CLIENT_ADDRESS_WARNING);
    } finally {
      await proxied.stop();
    }
  });
});
