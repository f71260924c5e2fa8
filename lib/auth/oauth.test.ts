import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { testPool } from '../../tests/support/database';

const pool = testPool(inject('databaseUrl'));
afterAll(() => {
  vi.unstubAllEnvs();
  return pool.end();
});

async function loadAuth(values: Record<string, string>) {
  vi.resetModules();
  delete (globalThis as { auth?: unknown }).auth;
  for (const [key, value] of Object.entries(values)) vi.stubEnv(key, value);
  const [{ getAuth }, { oauthProviders }] = await Promise.all([import('./auth'), import('../env')]);
  const auth = getAuth();
  if (!auth) throw new Error('auth is configured outside production');
  return { auth, oauthProviders };
}

describe('OAuth providers', () => {
  it('are enabled only when both the client id and the secret are set', async () => {
    const { oauthProviders } = await loadAuth({
      GITHUB_CLIENT_ID: 'gh-client',
      GITHUB_CLIENT_SECRET: 'gh-secret',
      GOOGLE_CLIENT_ID: 'google-client-only',
    });
    expect(oauthProviders()).toEqual({ github: { clientId: 'gh-client', clientSecret: 'gh-secret' } });
  });

  it('send the browser to the provider with a state kept in the verifications table', async () => {
    const { auth } = await loadAuth({ GITHUB_CLIENT_ID: 'gh-client', GITHUB_CLIENT_SECRET: 'gh-secret', APP_URL: 'http://localhost:3000' });
    const response = await auth.handler(
      new Request('http://localhost:3000/api/auth/sign-in/social', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.9.9.9', origin: 'http://localhost:3000' },
        body: JSON.stringify({ provider: 'github', callbackURL: '/dashboard' }),
      }),
    );
    expect(response.status).toBe(200);
    const { url } = (await response.json()) as { url: string };
    const authorize = new URL(url);
    expect(authorize.origin + authorize.pathname).toBe('https://github.com/login/oauth/authorize');
    expect(authorize.searchParams.get('client_id')).toBe('gh-client');
    expect(authorize.searchParams.get('redirect_uri')).toBe('http://localhost:3000/api/auth/callback/github');
    const state = authorize.searchParams.get('state') ?? '';
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM verifications WHERE identifier = $1 AND expires_at > now()', [
      `auth-state:${state}`,
    ]);
    expect(rows).toEqual([{ n: 1 }]);

    const google = await auth.handler(
      new Request('http://localhost:3000/api/auth/sign-in/social', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.9.9.10', origin: 'http://localhost:3000' },
        body: JSON.stringify({ provider: 'google', callbackURL: '/dashboard' }),
      }),
    );
    expect(google.status).toBe(404);
  });
});
