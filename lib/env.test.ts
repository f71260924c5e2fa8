import { afterEach, describe, expect, it, vi } from 'vitest';

async function loadEnv(values: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [key, value] of Object.entries(values)) vi.stubEnv(key, value);
  return import('./env');
}

afterEach(() => vi.unstubAllEnvs());

describe('env', () => {
  it('reads optional STRIPE_PRICE_<LOOKUP_KEY> ids by lookup key, with no defaults, and names a bad one', async () => {
    expect((await loadEnv({ STRIPE_PRICE_PRO_MONTHLY: undefined, STRIPE_PRICE_PRO_ANNUAL: undefined })).stripePriceIds).toEqual({});
    const { stripePriceIds, parseStripePriceIds } = await loadEnv({
      STRIPE_PRICE_TEAM_ANNUAL: ' price_1AbC ',
      STRIPE_PRICE_PRO_MONTHLY: '',
    });
    expect(stripePriceIds).toEqual({ team_annual: 'price_1AbC' });
    expect(() => parseStripePriceIds({ STRIPE_PRICE_PRO_ANNUAL: 'prod_123', STRIPE_PRICE_TEAM_MONTHLY: 'price_ok' })).toThrow(
      'Invalid environment: STRIPE_PRICE_PRO_ANNUAL: must be a Stripe price id (price_...)',
    );
    expect(parseStripePriceIds({ STRIPE_PRICE_: 'price_x', stripe_price_pro_monthly: 'price_y', STRIPE_PRICES_PRO: 'price_z' })).toEqual(
      {},
    );
  });

  it('sizes the pool for the platform: 10 connections on a server, 3 in a Vercel function, or DATABASE_POOL_SIZE', async () => {
    expect((await loadEnv({ VERCEL: undefined, DATABASE_POOL_SIZE: undefined })).databasePoolSize()).toBe(10);
    expect((await loadEnv({ VERCEL: '1', DATABASE_POOL_SIZE: undefined })).databasePoolSize()).toBe(3);
    expect((await loadEnv({ VERCEL: '1', DATABASE_POOL_SIZE: '7' })).databasePoolSize()).toBe(7);
  });

  it('treats empty values as unset and splits several webhook secrets', async () => {
    const { env, webhookSecrets, expectedLivemode } = await loadEnv({
      STRIPE_SECRET_KEY: '',
      STRIPE_WEBHOOK_SECRET: ' whsec_a , whsec_b,',
    });
    expect(env.STRIPE_SECRET_KEY).toBeUndefined();
    expect(webhookSecrets()).toEqual(['whsec_a', 'whsec_b']);
    expect(expectedLivemode()).toBe(false);
  });

  it('never falls back to the development secret in production', async () => {
    const { webhookSecrets, sessionSecret, demoSignInEnabled, stripeSimulatorEnabled } = await loadEnv({
      NODE_ENV: 'production',
      STRIPE_WEBHOOK_SECRET: undefined,
      SESSION_SECRET: undefined,
      DEMO_SIGN_IN: undefined,
      STRIPE_SIMULATOR: undefined,
    });
    expect(webhookSecrets()).toEqual([]);
    expect(sessionSecret()).toBeNull();
    expect(demoSignInEnabled()).toBe(false);
    expect(stripeSimulatorEnabled()).toBe(false);
  });

  it('keeps development defaults to development builds and the test runner, whatever the environment says', async () => {
    const {
      env,
      webhookSecrets,
      sessionSecret,
      stripeSimulatorEnabled,
      webhookToleranceSeconds,
      developmentDefaultsApply,
      DEVELOPMENT_WEBHOOK_SECRET,
    } = await loadEnv({
      NODE_ENV: 'test',
      STRIPE_WEBHOOK_SECRET: undefined,
      BETTER_AUTH_SECRET: undefined,
      STRIPE_SIMULATOR: undefined,
      STRIPE_WEBHOOK_TOLERANCE_SECONDS: '0',
    });
    expect(developmentDefaultsApply()).toBe(true);
    expect(webhookSecrets(env, true)).toEqual([DEVELOPMENT_WEBHOOK_SECRET]);
    expect(webhookToleranceSeconds(env, true)).toBe(0);
    // A production build passes false, even started with NODE_ENV=test.
    expect(webhookSecrets(env, false)).toEqual([]);
    expect(sessionSecret(env, false)).toBeNull();
    expect(stripeSimulatorEnabled(env, false)).toBe(false);
    expect(stripeSimulatorEnabled({ ...env, STRIPE_SIMULATOR: 'true' }, false)).toBe(true);
    // Zero tolerance (no replay protection) is refused there; any other value stands.
    expect(webhookToleranceSeconds(env, false)).toBeNull();
    expect(webhookToleranceSeconds({ ...env, STRIPE_WEBHOOK_TOLERANCE_SECONDS: 60 }, false)).toBe(60);
  });

  it('reads APP_URL as an origin', async () => {
    const { appUrl, authBaseUrl } = await loadEnv({ APP_URL: 'https://app.example/', BETTER_AUTH_URL: undefined });
    expect(appUrl()).toBe('https://app.example');
    expect(authBaseUrl()).toBe('https://app.example');
    expect((await loadEnv({ APP_URL: undefined })).appUrl()).toBeNull();
  });

  it('follows the key for live mode, and never simulates next to a real key', async () => {
    const { expectedLivemode, stripeSimulatorEnabled } = await loadEnv({ NODE_ENV: 'development', STRIPE_SECRET_KEY: 'sk_live_abc' });
    expect(expectedLivemode()).toBe(true);
    expect(stripeSimulatorEnabled()).toBe(false);
  });

  it('names the invalid variable without echoing its value', async () => {
    await expect(loadEnv({ STRIPE_SECRET_KEY: 'pk_live_secretvalue' })).rejects.toThrow(
      /STRIPE_SECRET_KEY: STRIPE_SECRET_KEY must start with/,
    );
    await expect(loadEnv({ STRIPE_SECRET_KEY: 'pk_live_secretvalue' })).rejects.not.toThrow(/secretvalue/);
  });
});
