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

describe('what the operator reads and what Stripe is sent', () => {
  const EVENTS = HANDLED_EVENT_TYPES.length;
  const ids = () => ({
    products: [...double.catalog.products.values()].map((product) => product.id),
    prices: Object.fromEntries([...double.catalog.prices.values()].filter((p) => p.lookup_key).map((p) => [p.lookup_key, p.id])),
    portal: [...double.catalog.portalConfigurations.keys()][0],
    endpoint: double.webhookEndpoints[0]?.id,
  });

  it('the first run, line by line, and every object as created', async () => {
    const first = await run({ webhookUrl: URL });
    const { products, prices, portal, endpoint } = ids();
    expect(first.lines).toEqual([
      `product pro: created ${products[0]} "Pro"`,
      `product team: created ${products[1]} "Team"`,
      `price pro_monthly: created ${prices.pro_monthly} at 2000 cents per month`,
      `price pro_annual: created ${prices.pro_annual} at 20000 cents per year`,
      `price team_monthly: created ${prices.team_monthly} at 1500 cents per month per seat`,
      `price team_annual: created ${prices.team_annual} at 15000 cents per year per seat`,
      `billing portal: created ${portal} (price and seat changes, cancel at period end)`,
      `webhook endpoint: created ${endpoint} for ${URL} (${EVENTS} event types, API version ${Stripe.API_VERSION})`,
      '8 change(s) made.',
    ]);
    expect([...double.catalog.products.values()].map(({ name, description, metadata }) => ({ name, description, metadata }))).toEqual([
      { name: 'Pro', description: 'For one person doing real work.', metadata: { catalog_plan: 'pro', managed_by: 'stripe-setup' } },
      { name: 'Team', description: 'For a team, billed per seat.', metadata: { catalog_plan: 'team', managed_by: 'stripe-setup' } },
    ]);
    expect([...double.catalog.prices.values()].map((price) => price.metadata)).toEqual([
      { catalog_plan: 'pro', managed_by: 'stripe-setup' },
      { catalog_plan: 'pro', managed_by: 'stripe-setup' },
      { catalog_plan: 'team', managed_by: 'stripe-setup' },
      { catalog_plan: 'team', managed_by: 'stripe-setup' },
    ]);
    const configuration = double.catalog.portalConfigurations.get(portal ?? '');
    expect(configuration).toMatchObject({
      business_profile: { headline: 'Manage your subscription' },
      default_return_url: 'https://app.example.com/dashboard',
      metadata: { managed_by: 'stripe-setup', catalog_fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) },
    });
    expect(configuration?.features).toEqual({
      customer_update: { enabled: 'true', allowed_updates: ['email', 'address'] },
      invoice_history: { enabled: 'true' },
      payment_method_update: { enabled: 'true' },
      subscription_cancel: { enabled: 'true', mode: 'at_period_end', proration_behavior: 'none' },
      subscription_update: {
        enabled: 'true',
        default_allowed_updates: ['price', 'quantity'],
        proration_behavior: 'create_prorations',
        products: [
          { product: products[0], prices: [prices.pro_monthly, prices.pro_annual] },
          { product: products[1], prices: [prices.team_monthly, prices.team_annual] },
        ],
      },
    });
    const created = double.requests.find((request) => request.path === '/v1/webhook_endpoints' && request.method === 'POST');
    expect([created?.body.get('description'), created?.body.get('metadata[managed_by]')]).toEqual([
      'Billing webhooks (npm run stripe:setup)',
      'stripe-setup',
    ]);
  });

  it('a second run, line by line', async () => {
    await run({ webhookUrl: URL });
    const { products, prices, portal, endpoint } = ids();
    expect((await run({ webhookUrl: URL })).lines).toEqual([
      `product pro: unchanged (${products[0]})`,
      `product team: unchanged (${products[1]})`,
      `price pro_monthly: unchanged (${prices.pro_monthly})`,
      `price pro_annual: unchanged (${prices.pro_annual})`,
      `price team_monthly: unchanged (${prices.team_monthly})`,
      `price team_annual: unchanged (${prices.team_annual})`,
      `billing portal: unchanged (${portal})`,
      `webhook endpoint: unchanged (${endpoint})`,
      'Stripe account matches the catalog: nothing to change.',
    ]);
  });

  it('a dry run on an empty account, line by line', async () => {
    expect((await run({ webhookUrl: URL, dryRun: true })).lines).toEqual([
      'product pro: would create "Pro"',
      'product team: would create "Team"',
      'price pro_monthly: would create at 2000 cents per month',
      'price pro_annual: would create at 20000 cents per year',
      'price team_monthly: would create at 1500 cents per month per seat',
      'price team_annual: would create at 15000 cents per year per seat',
      'billing portal: would create a configuration (price and seat changes, cancel at period end)',
      `webhook endpoint: would create ${URL} for ${EVENTS} event types at API version ${Stripe.API_VERSION}`,
      'Dry run: 8 change(s) would be made; nothing was changed.',
    ]);
  });

  it('an account that drifted: the dry run says each change and writes nothing; the real run makes them', async () => {
    await run({ webhookUrl: URL });
    const { products, prices, portal, endpoint } = ids();
    const product = (id: string | undefined) => double.catalog.products.get(id ?? '')!;
    const price = (key: string) => double.catalog.prices.get(prices[key] ?? '')!;
    product(products[0]).name = 'Pro (old)';
    product(products[1]).description = 'Another text';
    price('pro_monthly').currency = 'eur';
    price('pro_annual').recurring = { interval: 'month', interval_count: 1 };
    price('team_monthly').recurring = { interval: 'month', interval_count: 3 };
    price('team_annual').product = products[0]!;
    double.webhookEndpoints[0]!.enabled_events = ['invoice.paid', 'customer.created'];
    const moved = (key: string) => `, moving the lookup key from ${prices[key]} (which keeps its subscribers)`;
    const dryBefore = double.requests.length;
    const dry = await run({ webhookUrl: URL, dryRun: true });
    expect(writes(dryBefore)).toEqual([]);
    expect(dry.lines).toEqual([
      `product pro: would rename ${products[0]} to "Pro"`,
      `product team: would rename ${products[1]} to "Team"`,
      `price pro_monthly: would create at 2000 cents per month${moved('pro_monthly')}`,
      `price pro_annual: would create at 20000 cents per year${moved('pro_annual')}`,
      `price team_monthly: would create at 1500 cents per month per seat${moved('team_monthly')}`,
      `price team_annual: would create at 15000 cents per year per seat${moved('team_annual')}`,
      `billing portal: would update ${portal} (price and seat changes, cancel at period end)`,
      `webhook endpoint: would set ${endpoint} to exactly the ${EVENTS} handled event types (was: customer.created, invoice.paid)`,
      'Dry run: 8 change(s) would be made; nothing was changed.',
    ]);

    const real = await run({ webhookUrl: URL });
    const now = ids();
    expect(real.lines).toEqual([
      `product pro: renamed ${products[0]} to "Pro"`,
      `product team: renamed ${products[1]} to "Team"`,
      `price pro_monthly: created ${now.prices.pro_monthly} at 2000 cents per month${moved('pro_monthly')}`,
      `price pro_annual: created ${now.prices.pro_annual} at 20000 cents per year${moved('pro_annual')}`,
      `price team_monthly: created ${now.prices.team_monthly} at 1500 cents per month per seat${moved('team_monthly')}`,
      `price team_annual: created ${now.prices.team_annual} at 15000 cents per year per seat${moved('team_annual')}`,
      `billing portal: updated ${portal}`,
      `webhook endpoint: set ${endpoint} to exactly the ${EVENTS} handled event types (was: customer.created, invoice.paid)`,
      '8 change(s) made.',
    ]);
    expect([product(products[0]).name, product(products[1]).description]).toEqual(['Pro', 'For a team, billed per seat.']);
    expect(double.catalog.portalConfigurations.get(portal ?? '')?.features).toMatchObject({
      subscription_update: {
        products: [
          { product: products[0], prices: [now.prices.pro_monthly, now.prices.pro_annual] },
          { product: products[1], prices: [now.prices.team_monthly, now.prices.team_annual] },
        ],
      },
    });
    expect((await run({ webhookUrl: URL })).changes).toBe(0);
  });

  it('reads only active products and portal configurations, the newest of each plan, and ignores what it does not manage', async () => {
    await run();
    const { products, prices, portal } = ids();
    // An archived copy of each (newer), an unmanaged active product and portal configuration.
    await double.stripe.products.create({ name: 'Pro', description: 'For one person doing real work.', metadata: { catalog_plan: 'pro' } });
    const archived = [...double.catalog.products.values()].at(-1)!;
    archived.active = false;
    await double.stripe.products.create({ name: 'Something else' });
    await double.stripe.billingPortal.configurations.create({
      features: { invoice_history: { enabled: true } },
      metadata: { managed_by: 'stripe-setup', catalog_fingerprint: 'stale' },
    });
    [...double.catalog.portalConfigurations.values()].at(-1)!.active = false;
    await double.stripe.billingPortal.configurations.create({ features: { invoice_history: { enabled: true } } });
    const rerun = await run();
    expect(rerun.changes).toBe(0);
    expect(rerun.lines).toContain(`product pro: unchanged (${products[0]})`);
    expect(rerun.lines).toContain(`billing portal: unchanged (${portal})`);

    archived.active = true;
    archived.name = 'Pro (newest)';
    // Two active products of one plan: the newest is the catalog's, so the plan's prices move to it.
    const newest = await run();
    const now = ids().prices;
    const moved = (key: string) => `, moving the lookup key from ${prices[key]} (which keeps its subscribers)`;
    expect(newest.lines).toEqual([
      `product pro: renamed ${archived.id} to "Pro"`,
      `product team: unchanged (${products[1]})`,
      `price pro_monthly: created ${now.pro_monthly} at 2000 cents per month${moved('pro_monthly')}`,
      `price pro_annual: created ${now.pro_annual} at 20000 cents per year${moved('pro_annual')}`,
      `price team_monthly: unchanged (${prices.team_monthly})`,
      `price team_annual: unchanged (${prices.team_annual})`,
      `billing portal: updated ${portal}`,
      '4 change(s) made.',
    ]);
    expect(double.catalog.prices.get(now.pro_monthly ?? '')?.product).toBe(archived.id);
    expect(double.catalog.products.get(products[0] ?? '')?.name).toBe('Pro');
  });

  it('asks for the four catalog lookup keys in one list call (Stripe takes up to 10)', async () => {
    await run();
    const lists = double.requests.filter((request) => request.path.startsWith('/v1/prices?') && request.method === 'GET');
    expect(
      lists.map((request) => [...request.body.entries()].filter(([key]) => key.startsWith('lookup_keys')).map(([, value]) => value)),
    ).toEqual([['pro_monthly', 'pro_annual', 'team_monthly', 'team_annual']]);
  });
});
