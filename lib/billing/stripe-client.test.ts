import Stripe from 'stripe';
import { afterEach, describe, expect, it, vi } from 'vitest';

async function loadClient(key: string | undefined) {
  vi.resetModules();
  vi.stubEnv('STRIPE_SECRET_KEY', key);
  delete (globalThis as { stripe?: unknown }).stripe;
  return (await import('./stripe-client')).getStripe();
}

afterEach(() => {
  vi.unstubAllEnvs();
  delete (globalThis as { stripe?: unknown }).stripe;
});

describe('getStripe', () => {
  it('is null without a key (the offline default) and one shared client with one', async () => {
    expect(await loadClient(undefined)).toBeNull();
    const client = await loadClient('sk_test_123');
    expect(client).toBeInstanceOf(Stripe);
    const { getStripe } = await import('./stripe-client');
    expect(getStripe()).toBe(client);
  });
});
