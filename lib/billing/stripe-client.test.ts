import { createServer, type IncomingHttpHeaders } from 'node:http';
import Stripe from 'stripe';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stripeApiAddress } from './stripe-client';

async function loadClient(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  delete (globalThis as { stripe?: unknown }).stripe;
  return (await import('./stripe-client')).getStripe();
}

afterEach(() => {
  vi.unstubAllEnvs();
  delete (globalThis as { stripe?: unknown }).stripe;
});

describe('getStripe', () => {
  it('is null without a key (the offline default) and one shared client with one', async () => {
    expect(await loadClient({ STRIPE_SECRET_KEY: undefined })).toBeNull();
    const client = await loadClient({ STRIPE_SECRET_KEY: 'sk_test_123' });
    expect(client).toBeInstanceOf(Stripe);
    const { getStripe } = await import('./stripe-client');
    expect(getStripe()).toBe(client);
  });

  it('sends its requests to STRIPE_API_URL, at the pinned API version', async () => {
    const seen: { method?: string; url?: string; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((request, response) => {
      seen.push({ method: request.method, url: request.url, headers: request.headers });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'cus_local', object: 'customer' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const client = await loadClient({ STRIPE_SECRET_KEY: 'sk_test_local', STRIPE_API_URL: `http://127.0.0.1:${port}` });
      const customer = await client?.customers.retrieve('cus_local');
      expect(customer?.id).toBe('cus_local');
      expect(seen).toHaveLength(1);
      expect(seen[0]?.method).toBe('GET');
      expect(seen[0]?.url).toBe('/v1/customers/cus_local');
      expect(seen[0]?.headers['stripe-version']).toBe('2026-10-28.endive');
      expect(seen[0]?.headers.authorization).toBe('Bearer sk_test_local');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a STRIPE_API_URL with a path, which stripe-node could not honour', async () => {
    await expect(loadClient({ STRIPE_SECRET_KEY: 'sk_test_local', STRIPE_API_URL: 'http://127.0.0.1:12111/v1' })).rejects.toThrow(
      /STRIPE_API_URL/,
    );
  });
});

describe('stripeApiAddress', () => {
  it('maps a base URL to stripe-node host, port and protocol', () => {
    expect(stripeApiAddress(undefined)).toBeNull();
    expect(stripeApiAddress('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: 12111, protocol: 'http' });
    expect(stripeApiAddress('https://stripe-proxy.internal/')).toEqual({ host: 'stripe-proxy.internal', port: 443, protocol: 'https' });
    expect(stripeApiAddress('http://[::1]:8080')).toEqual({ host: '::1', port: 8080, protocol: 'http' });
  });
});
