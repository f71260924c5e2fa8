import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { CATALOG_PRICES, type CatalogPrice, PLAN_IDS, type PlanId, PLANS } from './catalog';
import { HANDLED_EVENT_TYPES } from './webhook/handlers';

/** Marks what `stripe:setup` created, so a second run finds it again and changes only what differs. */
const MANAGED_BY = 'stripe-setup';
const LOOKUP_KEYS_PER_CALL = 10;

type SetupOptions = {
  stripe: Stripe;
  /** `https://<app>/api/webhooks/stripe`: the endpoint to create or keep in step; none: endpoints are left alone. */
  webhookUrl?: string | null;
  /** Print what would change, change nothing. */
  dryRun?: boolean;
  /** Where the app's customers return from the billing portal. */
  returnUrl?: string | null;
  log?: (line: string) => void;
};

export type SetupResult = { changes: number; webhookSecret: string | null };

const sameProduct = (product: Stripe.Product, plan: PlanId) =>
  product.name === PLANS[plan].name && (product.description ?? null) === PLANS[plan].description;

/** The Stripe product of each paid plan (metadata `catalog_plan`), created or renamed as the catalog says. */
async function syncProducts(
  { stripe, dryRun, log }: Required<Pick<SetupOptions, 'stripe' | 'dryRun' | 'log'>>,
  count: () => void,
): Promise<Map<PlanId, string | null>> {
  const existing = new Map<string, Stripe.Product>();
  for await (const product of stripe.products.list({ active: true, limit: 100 })) {
    const plan = product.metadata.catalog_plan;
    if (plan && !existing.has(plan)) existing.set(plan, product);
  }
  const ids = new Map<PlanId, string | null>();
  for (const plan of PLAN_IDS.filter((id) => CATALOG_PRICES.some((price) => price.plan === id))) {
    const product = existing.get(plan);
    const { name, description } = PLANS[plan];
    if (product && sameProduct(product, plan)) {
      log(`product ${plan}: unchanged (${product.id})`);
    } else if (product) {
      count();
      log(`product ${plan}: ${dryRun ? 'would rename' : 'renamed'} ${product.id} to "${name}"`);
      if (!dryRun) await stripe.products.update(product.id, { name, description });
    } else {
      count();
      const created = dryRun
        ? null
        : await stripe.products.create({ name, description, metadata: { catalog_plan: plan, managed_by: MANAGED_BY } });
      log(`product ${plan}: ${dryRun ? 'would create' : `created ${created?.id}`} "${name}"`);
      ids.set(plan, created?.id ?? null);
      continue;
    }
    ids.set(plan, product.id);
  }
  return ids;
}

const matches = (price: Stripe.Price, wanted: CatalogPrice, productId: string | null) =>
  price.active &&
  price.unit_amount === wanted.unitAmountCents &&
  price.currency === 'usd' &&
  price.recurring?.interval === (wanted.billingPeriod === 'annual' ? 'year' : 'month') &&
  (price.recurring?.interval_count ?? 1) === 1 &&
  (typeof price.product === 'string' ? price.product : price.product.id) === productId;

/**
 * Each catalog price under its lookup key. A price whose amount (or interval, or product) differs is
 * never edited (Stripe prices are immutable): a new one is created and the lookup key moves to it
 * (`transfer_lookup_key`); the old price keeps billing its existing subscribers.
 */
async function syncPrices(
  { stripe, dryRun, log }: Required<Pick<SetupOptions, 'stripe' | 'dryRun' | 'log'>>,
  products: Map<PlanId, string | null>,
  count: () => void,
): Promise<Map<string, string | null>> {
  const current = new Map<string, Stripe.Price>();
  const keys = CATALOG_PRICES.map((price) => price.lookupKey);
  for (let start = 0; start < keys.length; start += LOOKUP_KEYS_PER_CALL) {
    const page = await stripe.prices.list({ lookup_keys: keys.slice(start, start + LOOKUP_KEYS_PER_CALL), limit: 100 });
    for (const price of page.data) if (price.lookup_key) current.set(price.lookup_key, price);
  }
  const ids = new Map<string, string | null>();
  for (const wanted of CATALOG_PRICES) {
    const productId = products.get(wanted.plan) ?? null;
    const existing = current.get(wanted.lookupKey);
    if (existing && matches(existing, wanted, productId)) {
      log(`price ${wanted.lookupKey}: unchanged (${existing.id})`);
      ids.set(wanted.lookupKey, existing.id);
      continue;
    }
    count();
    const moved = existing ? `, moving the lookup key from ${existing.id} (which keeps its subscribers)` : '';
    const created =
      dryRun || !productId
        ? null
        : await stripe.prices.create({
            product: productId,
            currency: 'usd',
            unit_amount: wanted.unitAmountCents,
            recurring: { interval: wanted.billingPeriod === 'annual' ? 'year' : 'month' },
            lookup_key: wanted.lookupKey,
            transfer_lookup_key: true,
            metadata: { catalog_plan: wanted.plan, managed_by: MANAGED_BY },
          });
    log(
      `price ${wanted.lookupKey}: ${created ? `created ${created.id}` : 'would create'} at ${wanted.unitAmountCents} cents per ${wanted.billingPeriod === 'annual' ? 'year' : 'month'}${wanted.seats ? ' per seat' : ''}${moved}`,
    );
    ids.set(wanted.lookupKey, created?.id ?? null);
  }
  return ids;
}

/** A short digest of what a managed object should be: equal digests, nothing to update. */
function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * The billing portal's configuration: switching between the catalog's prices (seats included),
 * cancel at the period end, card and invoices. Found by its metadata, updated when it differs.
 */
async function syncPortal(
  { stripe, dryRun, log, returnUrl }: Required<Pick<SetupOptions, 'stripe' | 'dryRun' | 'log'>> & { returnUrl: string | null },
  products: Map<PlanId, string | null>,
  prices: Map<string, string | null>,
  count: () => void,
): Promise<void> {
  const catalogProducts = [...products].map(([plan, product]) => ({
    product: product ?? `(new ${plan} product)`,
    prices: CATALOG_PRICES.filter((price) => price.plan === plan).map(
      (price) => prices.get(price.lookupKey) ?? `(new ${price.lookupKey} price)`,
    ),
  }));
  const features: Stripe.BillingPortal.ConfigurationCreateParams.Features = {
    customer_update: { enabled: true, allowed_updates: ['email', 'address'] },
    invoice_history: { enabled: true },
    payment_method_update: { enabled: true },
    subscription_cancel: { enabled: true, mode: 'at_period_end', proration_behavior: 'none' },
    subscription_update: {
      enabled: true,
      default_allowed_updates: ['price', 'quantity'],
      proration_behavior: 'create_prorations',
      products: catalogProducts,
    },
  };
  const digest = fingerprint({ features, returnUrl });
  let managed: Stripe.BillingPortal.Configuration | undefined;
  for await (const configuration of stripe.billingPortal.configurations.list({ active: true, limit: 100 })) {
    if (configuration.metadata?.managed_by === MANAGED_BY) {
      managed = configuration;
      break;
    }
  }
  if (managed?.metadata?.catalog_fingerprint === digest) {
    log(`billing portal: unchanged (${managed.id})`);
    return;
  }
  count();
  const params = {
    features,
    business_profile: { headline: 'Manage your subscription' },
    ...(returnUrl ? { default_return_url: returnUrl } : {}),
    metadata: { managed_by: MANAGED_BY, catalog_fingerprint: digest },
  };
  if (dryRun) {
    log(
      `billing portal: would ${managed ? `update ${managed.id}` : 'create a configuration'} (price and seat changes, cancel at period end)`,
    );
  } else if (managed) {
    await stripe.billingPortal.configurations.update(managed.id, params);
    log(`billing portal: updated ${managed.id}`);
  } else {
    const created = await stripe.billingPortal.configurations.create(params);
    log(`billing portal: created ${created.id} (price and seat changes, cancel at period end)`);
  }
}

/**
 * The webhook endpoint at `url`: exactly the event types the app handles, at the SDK's pinned API
 * version. Created when missing (its signing secret is returned, once: Stripe never shows it again);
 * its event types corrected when they differ. An endpoint on another API version is not changed
 * (Stripe cannot change it in place): the log says how to replace it.
 */
async function syncWebhookEndpoint(
  { stripe, dryRun, log }: Required<Pick<SetupOptions, 'stripe' | 'dryRun' | 'log'>>,
  url: string,
  count: () => void,
): Promise<string | null> {
  const events = [...HANDLED_EVENT_TYPES].sort();
  let endpoint: Stripe.WebhookEndpoint | undefined;
  for await (const candidate of stripe.webhookEndpoints.list({ limit: 100 })) {
    if (candidate.url === url) {
      endpoint = candidate;
      break;
    }
  }
  if (!endpoint) {
    count();
    if (dryRun) {
      log(`webhook endpoint: would create ${url} for ${events.length} event types at API version ${Stripe.API_VERSION}`);
      return null;
    }
    const created = await stripe.webhookEndpoints.create({
      url,
      enabled_events: events as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
      api_version: Stripe.API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
      description: 'Billing webhooks (npm run stripe:setup)',
      metadata: { managed_by: MANAGED_BY },
    });
    log(`webhook endpoint: created ${created.id} for ${url} (${events.length} event types, API version ${Stripe.API_VERSION})`);
    return created.secret ?? null;
  }
  const current = [...endpoint.enabled_events].sort();
  if (current.join(',') !== events.join(',')) {
    count();
    log(
      `webhook endpoint: ${dryRun ? 'would set' : 'set'} ${endpoint.id} to exactly the ${events.length} handled event types (was: ${current.join(', ')})`,
    );
    if (!dryRun)
      await stripe.webhookEndpoints.update(endpoint.id, { enabled_events: events as Stripe.WebhookEndpointUpdateParams.EnabledEvent[] });
  } else {
    log(`webhook endpoint: unchanged (${endpoint.id})`);
  }
  if (endpoint.api_version && endpoint.api_version !== Stripe.API_VERSION) {
    log(
      `webhook endpoint: ${endpoint.id} is on API version ${endpoint.api_version}, not ${Stripe.API_VERSION}; Stripe cannot change it in place. ` +
        'Create a second endpoint on the pinned version, add its secret to STRIPE_WEBHOOK_SECRET (comma-separated), then delete the old one.',
    );
  }
  return null;
}

/**
 * Makes a Stripe account match the catalog, idempotently: products and prices by lookup key, the
 * billing portal's configuration and, given a URL, the webhook endpoint. Returns how many things it
 * changed (or would change, in a dry run) and the new endpoint's signing secret, if it created one.
 */
export async function setupStripeAccount({
  stripe,
  webhookUrl = null,
  dryRun = false,
  returnUrl = null,
  log = console.log,
}: SetupOptions): Promise<SetupResult> {
  let changes = 0;
  const count = () => {
    changes += 1;
  };
  const context = { stripe, dryRun, log };
  const products = await syncProducts(context, count);
  const prices = await syncPrices(context, products, count);
  await syncPortal({ ...context, returnUrl }, products, prices, count);
  const webhookSecret = webhookUrl ? await syncWebhookEndpoint(context, webhookUrl, count) : null;
  if (changes === 0) log('Stripe account matches the catalog: nothing to change.');
  else log(dryRun ? `Dry run: ${changes} change(s) would be made; nothing was changed.` : `${changes} change(s) made.`);
  return { changes, webhookSecret };
}
