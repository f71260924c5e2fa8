import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStripeApiDouble } from '../../tests/support/stripe-api-double';
import { setupStripeAccount } from './setup-stripe-account';
import { HANDLED_EVENT_TYPES } from './webhook/handlers';

// npm run stripe:setup against the local Stripe API double (real stripe-node over HTTP), with
// Stripe's lookup-key semantics: a key belongs to one price; transfer_lookup_key moves it.

let double: Awaited<ReturnType<typeof startStripeApiDouble>>;
beforeEach(async () => {
  double = await startStripeApiDouble();
});
afterEach(() => double.close());

const URL = 'https://app.example.com/api/webhooks/stripe';
const writes = (from: number) =>
  double.requests
    .slice(from)
    .filter((request) => request.method === 'POST')
    .map((request) => request.path);

async function run(options: { webhookUrl?: string; dryRun?: boolean } = {}) {
  const lines: string[] = [];
  const result = await setupStripeAccount({
    stripe: double.stripe,
    returnUrl: 'https://app.example.com/dashboard',
    ...options,
    log: (line) => lines.push(line),
  });
  return { ...result, lines };
}

describe('stripe:setup on an empty account', () => {
  it('creates the products, the four prices by lookup key, the portal and the webhook endpoint; the secret comes back once', async () => {
    const first = await run({ webhookUrl: URL });
    expect(first.changes).toBe(2 + 4 + 1 + 1);
    expect(first.webhookSecret).toMatch(/^whsec_/);
    const products = [...double.catalog.products.values()];
    expect(products.map((product) => [product.name, product.metadata.catalog_plan])).toEqual([
      ['Pro', 'pro'],
      ['Team', 'team'],
    ]);
    const prices = [...double.catalog.prices.values()];
    expect(prices.map((price) => [price.lookup_key, price.unit_amount, price.recurring?.interval, price.currency])).toEqual([
      ['pro_monthly', 2_000, 'month', 'usd'],
      ['pro_annual', 20_000, 'year', 'usd'],
      ['team_monthly', 1_500, 'month', 'usd'],
      ['team_annual', 15_000, 'year', 'usd'],
    ]);
    expect(prices.map((price) => price.product)).toEqual([products[0]?.id, products[0]?.id, products[1]?.id, products[1]?.id]);

    const [endpoint] = double.webhookEndpoints;
    expect(endpoint).toMatchObject({ url: URL, api_version: Stripe.API_VERSION });
    expect([...(endpoint?.enabled_events ?? [])].sort()).toEqual([...HANDLED_EVENT_TYPES].sort());

    const [portal] = [...double.catalog.portalConfigurations.values()];
    expect(portal?.metadata.managed_by).toBe('stripe-setup');
    expect(portal?.features).toMatchObject({
      subscription_cancel: { enabled: 'true', mode: 'at_period_end' },
      subscription_update: { default_allowed_updates: ['price', 'quantity'] },
    });
    expect(first.lines.at(-1)).toBe('8 change(s) made.');
  });

  it('a second run changes nothing, says so, and never shows the secret again', async () => {
    await run({ webhookUrl: URL });
    const before = double.requests.length;
    const second = await run({ webhookUrl: URL });
    expect(second).toMatchObject({ changes: 0, webhookSecret: null });
    expect(writes(before)).toEqual([]);
    expect(second.lines.at(-1)).toBe('Stripe account matches the catalog: nothing to change.');
    expect(second.lines).toContain(`price team_annual: unchanged (${[...double.catalog.prices.values()][3]?.id})`);
  });

  it('--dry-run says what it would do and writes nothing', async () => {
    const dry = await run({ webhookUrl: URL, dryRun: true });
    expect(dry.changes).toBe(8);
    expect(double.requests.filter((request) => request.method === 'POST')).toEqual([]);
    expect(dry.lines).toContain('price pro_monthly: would create at 2000 cents per month');
    expect(dry.lines.at(-1)).toBe('Dry run: 8 change(s) would be made; nothing was changed.');
  });
});

describe('stripe:setup on an account that differs', () => {
  it('a changed amount gets a new price and the lookup key moves to it; the old price stays for its subscribers', async () => {
    await run();
    const old = [...double.catalog.prices.values()].find((price) => price.lookup_key === 'pro_monthly');
    if (!old) throw new Error('no pro_monthly');
    old.unit_amount = 1_900; // the account's price predates a catalog change
    const before = double.requests.length;
    const rerun = await run();
    expect(rerun.changes).toBe(2); // the price, and the portal that lists the new price
    expect(writes(before)).toEqual([
      '/v1/prices',
      `/v1/billing_portal/configurations/${[...double.catalog.portalConfigurations.keys()][0]}`,
    ]);
    const requested = double.requests.find(
      (request) => request.path === '/v1/prices' && request.method === 'POST' && double.requests.indexOf(request) >= before,
    );
    expect(requested?.body.get('transfer_lookup_key')).toBe('true');
    const current = [...double.catalog.prices.values()].find((price) => price.lookup_key === 'pro_monthly');
    expect(current).toMatchObject({ unit_amount: 2_000 });
    expect(current?.id).not.toBe(old.id);
    expect(double.catalog.prices.get(old.id)).toMatchObject({ lookup_key: null, active: true, unit_amount: 1_900 });
    expect(rerun.lines).toContain(
      `price pro_monthly: created ${current?.id} at 2000 cents per month, moving the lookup key from ${old.id} (which keeps its subscribers)`,
    );
  });

  it('an endpoint listening to other events gets exactly the handled ones; no new secret', async () => {
    await double.stripe.webhookEndpoints.create({
      url: URL,
      enabled_events: ['*'],
      api_version: Stripe.API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
    });
    const result = await run({ webhookUrl: URL });
    expect(result.webhookSecret).toBeNull();
    expect(double.webhookEndpoints).toHaveLength(1);
    expect([...(double.webhookEndpoints[0]?.enabled_events ?? [])].sort()).toEqual([...HANDLED_EVENT_TYPES].sort());
  });

  it('an endpoint on another API version is left alone, with how to replace it', async () => {
    await double.stripe.webhookEndpoints.create({
      url: URL,
      enabled_events: [...HANDLED_EVENT_TYPES] as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
      api_version: '2025-01-27.acacia',
    });
    const result = await run({ webhookUrl: URL });
    expect(
      result.lines.some((line) => line.includes('is on API version 2025-01-27.acacia') && line.includes('STRIPE_WEBHOOK_SECRET')),
    ).toBe(true);
    expect(double.webhookEndpoints[0]?.api_version).toBe('2025-01-27.acacia');
  });

  it('a product renamed in the dashboard is renamed back', async () => {
    await run();
    const team = [...double.catalog.products.values()].find((product) => product.metadata.catalog_plan === 'team');
    if (!team) throw new Error('no team product');
    team.name = 'Teams (old)';
    const rerun = await run();
    expect(rerun.changes).toBe(1);
    expect(double.catalog.products.get(team.id)?.name).toBe('Team');
  });
});

describe('the double keeps Stripe lookup-key rules', () => {
  it('refuses a taken lookup key without transfer_lookup_key, and takes at most 10 keys in a list', async () => {
    await run();
    const product = [...double.catalog.products.keys()][0] ?? '';
    await expect(
      double.stripe.prices.create({
        product,
        currency: 'usd',
        unit_amount: 1,
        recurring: { interval: 'month' },
        lookup_key: 'pro_monthly',
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      double.stripe.prices.list({ lookup_keys: Array.from({ length: 11 }, (_, index) => `key_${index}`) }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
