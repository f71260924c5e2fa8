// The catalog's part of the local Stripe API double: products, prices (lookup keys with Stripe's
// semantics), the billing portal's configurations, webhook endpoints and subscription schedules.
// Kept in its own module so other parts of the double grow without touching it.

type Json = Record<string, unknown>;
type Answer = (status: number, body: unknown) => void;

export type DoublePrice = {
  id: string;
  object: 'price';
  active: boolean;
  product: string;
  currency: string;
  unit_amount: number;
  lookup_key: string | null;
  recurring: { interval: string; interval_count: number } | null;
  metadata: Record<string, string>;
  created: number;
};
export type DoubleProduct = {
  id: string;
  object: 'product';
  name: string;
  description: string | null;
  active: boolean;
  metadata: Record<string, string>;
  created: number;
};
/** A webhook endpoint as the double stores and lists it (the signing secret is shown only on creation). */
export type EndpointRecord = {
  id: string;
  object: 'webhook_endpoint';
  url: string;
  status: 'enabled' | 'disabled';
  api_version: string | null;
  enabled_events: string[];
};
export type DoublePortalConfiguration = {
  id: string;
  object: 'billing_portal.configuration';
  active: boolean;
  is_default: boolean;
  business_profile: Json;
  features: Json;
  default_return_url: string | null;
  metadata: Record<string, string>;
  created: number;
};
export type DoubleSchedulePhase = {
  start_date: number;
  end_date: number | null;
  items: { price: string; quantity: number }[];
  metadata: Record<string, string>;
  proration_behavior?: string;
};
export type DoubleSchedule = {
  id: string;
  object: 'subscription_schedule';
  subscription: string | null;
  customer: string;
  status: string;
  end_behavior: string;
  current_phase: { start_date: number; end_date: number | null } | null;
  phases: DoubleSchedulePhase[];
  released_subscription: string | null;
  created: number;
};

/** What a schedule is built from: the subscription Stripe holds (its price, quantity and period). */
export type ScheduleSource = { id: string; customer: string; price: string; quantity: number; periodStart: number; periodEnd: number };

/**
 * Decodes Stripe's form encoding (`a[b][0][c]=v`) into nested objects and arrays, the shape the
 * request had before stripe-node encoded it.
 */
export function decodeStripeForm(body: URLSearchParams): Json {
  const root: Json = {};
  for (const [key, value] of body) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Json | unknown[] = root;
    path.forEach((part, index) => {
      const last = index === path.length - 1;
      const container = node as Record<string, unknown>;
      if (last) {
        container[part] = value;
        return;
      }
      const nextIsIndex = /^\d+$/.test(path[index + 1] ?? '');
      container[part] ??= nextIsIndex ? [] : {};
      node = container[part] as Json;
    });
  }
  return root;
}

const asArray = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value && typeof value === 'object' ? Object.values(value) : [];
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const asRecord = (value: unknown): Record<string, string> =>
  value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)])) : {};

/** Products, prices, portal configurations, webhook endpoints and schedules, with Stripe's answers. */
export function createCatalogApi({
  findSubscription,
  webhookEndpoints = [],
}: {
  findSubscription?: (id: string) => ScheduleSource | undefined;
  /** The account's endpoints, newest first: shared with the double's own `GET /v1/webhook_endpoints`. */
  webhookEndpoints?: EndpointRecord[];
} = {}) {
  const products = new Map<string, DoubleProduct>();
  const prices = new Map<string, DoublePrice>();
  const portalConfigurations = new Map<string, DoublePortalConfiguration>();
  const schedules = new Map<string, DoubleSchedule>();
  let sequence = 0;
  const nextId = (prefix: string) => `${prefix}_double${String((sequence += 1)).padStart(6, '0')}`;
  const now = () => Math.floor(Date.now() / 1000) + sequence;
  const list = (url: string, data: unknown[]) => ({ object: 'list', url, has_more: false, data });
  const invalid = (answer: Answer, message: string, param?: string) =>
    answer(400, { error: { type: 'invalid_request_error', message, ...(param ? { param } : {}) } });
  const missing = (answer: Answer, kind: string, id: string) =>
    answer(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${kind}: '${id}'` } });
  const newestFirst = <T extends { created: number }>(values: Iterable<T>) => [...values].reverse();
  /** Stripe's `active` list filter: given, only the objects whose `active` equals it. */
  const activeAsAsked = <T extends { active: boolean }>(values: T[], query: Json) =>
    query.active === undefined ? values : values.filter((value) => String(value.active) === query.active);

  /** Frees a lookup key from whichever price holds it (transfer_lookup_key), or refuses. */
  function claimLookupKey(answer: Answer, key: string, transfer: boolean, except?: string): boolean {
    const holder = [...prices.values()].find((price) => price.lookup_key === key && price.id !== except);
    if (!holder) return true;
    if (!transfer) {
      invalid(answer, `A price (\`${holder.id}\`) already uses that lookup key.`, 'lookup_key');
      return false;
    }
    holder.lookup_key = null;
    return true;
  }

  function scheduleFrom(subscription: ScheduleSource): DoubleSchedule {
    return {
      id: nextId('sub_sched'),
      object: 'subscription_schedule',
      subscription: subscription.id,
      customer: subscription.customer,
      status: 'active',
      end_behavior: 'release',
      current_phase: { start_date: subscription.periodStart, end_date: subscription.periodEnd },
      released_subscription: null,
      created: now(),
      phases: [
        {
          start_date: subscription.periodStart,
          end_date: subscription.periodEnd,
          items: [{ price: subscription.price, quantity: subscription.quantity }],
          metadata: {},
        },
      ],
    };
  }

  function updatePhases(schedule: DoubleSchedule, phases: unknown[]) {
    let start = schedule.phases[0]?.start_date ?? now();
    schedule.phases = phases.map((raw, index) => {
      const phase = raw as Json;
      const startDate = Number(asString(phase.start_date) ?? start);
      const duration = index === 0 ? (schedule.phases[0]?.end_date ?? startDate) - startDate : 30 * 86_400;
      const endDate = asString(phase.end_date) ? Number(phase.end_date) : startDate + duration;
      start = endDate;
      const items = asArray(phase.items).map((item) => ({
        price: asString((item as Json).price) ?? '',
        quantity: Number(asString((item as Json).quantity) ?? 1),
      }));
      return {
        start_date: startDate,
        end_date: endDate,
        items,
        metadata: asRecord(phase.metadata),
        proration_behavior: asString(phase.proration_behavior),
      };
    });
    const last = schedule.phases.at(-1);
    if (last) last.end_date = null;
    schedule.current_phase = schedule.phases[0]
      ? { start_date: schedule.phases[0].start_date, end_date: schedule.phases[0].end_date }
      : null;
  }

  /** Answers the routes this module knows; false for any other route. */
  function handle(method: string, url: URL, body: URLSearchParams, answer: Answer): boolean {
    const path = url.pathname;
    const form = decodeStripeForm(body);
    let match: RegExpExecArray | null;

    if (path === '/v1/products' && method === 'GET')
      return (answer(200, list(path, activeAsAsked(newestFirst(products.values()), form))), true);
    if (path === '/v1/products' && method === 'POST') {
      const id = asString(form.id) ?? nextId('prod');
      if (products.has(id)) return (invalid(answer, `Product already exists.`, 'id'), true);
      const product: DoubleProduct = {
        id,
        object: 'product',
        name: asString(form.name) ?? '',
        description: asString(form.description) ?? null,
        active: form.active !== 'false',
        metadata: asRecord(form.metadata),
        created: now(),
      };
      products.set(id, product);
      return (answer(200, product), true);
    }
    if ((match = /^\/v1\/products\/([^/]+)$/.exec(path))) {
      const product = products.get(match[1] ?? '');
      if (!product) return (missing(answer, 'product', match[1] ?? ''), true);
      if (method === 'POST') {
        if (asString(form.name) !== undefined) product.name = asString(form.name) ?? '';
        if (asString(form.description) !== undefined) product.description = asString(form.description) ?? null;
        if (form.active !== undefined) product.active = form.active === 'true';
        if (form.metadata) product.metadata = { ...product.metadata, ...asRecord(form.metadata) };
      }
      return (answer(200, product), true);
    }

    if (path === '/v1/prices' && method === 'GET') {
      const keys = asArray(form.lookup_keys).map(String);
      if (keys.length > 10) return (invalid(answer, 'You may only specify up to 10 lookup keys.', 'lookup_keys'), true);
      const data = newestFirst(prices.values()).filter(
        (price) =>
          (!keys.length || (price.lookup_key !== null && keys.includes(price.lookup_key))) &&
          (form.active === undefined || String(price.active) === form.active) &&
          (!form.product || price.product === form.product),
      );
      return (answer(200, list(path, data)), true);
    }
    if (path === '/v1/prices' && method === 'POST') {
      const key = asString(form.lookup_key) ?? null;
      if (key && !claimLookupKey(answer, key, form.transfer_lookup_key === 'true')) return true;
      const product = asString(form.product) ?? '';
      if (!products.has(product)) return (missing(answer, 'product', product), true);
      const recurring = form.recurring as Json | undefined;
      const price: DoublePrice = {
        id: nextId('price'),
        object: 'price',
        active: form.active !== 'false',
        product,
        currency: asString(form.currency) ?? 'usd',
        unit_amount: Number(form.unit_amount ?? 0),
        lookup_key: key,
        recurring: recurring
          ? { interval: asString(recurring.interval) ?? 'month', interval_count: Number(recurring.interval_count ?? 1) }
          : null,
        metadata: asRecord(form.metadata),
        created: now(),
      };
      prices.set(price.id, price);
      return (answer(200, price), true);
    }
    if ((match = /^\/v1\/prices\/([^/]+)$/.exec(path))) {
      const price = prices.get(match[1] ?? '');
      if (!price) return (missing(answer, 'price', match[1] ?? ''), true);
      if (method === 'POST') {
        const key = asString(form.lookup_key);
        if (key !== undefined) {
          if (key && !claimLookupKey(answer, key, form.transfer_lookup_key === 'true', price.id)) return true;
          price.lookup_key = key || null;
        }
        if (form.active !== undefined) price.active = form.active === 'true';
        if (form.metadata) price.metadata = { ...price.metadata, ...asRecord(form.metadata) };
      }
      return (answer(200, price), true);
    }

    if (path === '/v1/billing_portal/configurations' && method === 'GET')
      return (answer(200, list(path, activeAsAsked(newestFirst(portalConfigurations.values()), form))), true);
    if (path === '/v1/billing_portal/configurations' && method === 'POST') {
      const configuration: DoublePortalConfiguration = {
        id: nextId('bpc'),
        object: 'billing_portal.configuration',
        active: true,
        is_default: portalConfigurations.size === 0,
        business_profile: (form.business_profile as Json | undefined) ?? {},
        features: (form.features as Json | undefined) ?? {},
        default_return_url: asString(form.default_return_url) ?? null,
        metadata: asRecord(form.metadata),
        created: now(),
      };
      portalConfigurations.set(configuration.id, configuration);
      return (answer(200, configuration), true);
    }
    if ((match = /^\/v1\/billing_portal\/configurations\/([^/]+)$/.exec(path))) {
      const configuration = portalConfigurations.get(match[1] ?? '');
      if (!configuration) return (missing(answer, 'configuration', match[1] ?? ''), true);
      if (method === 'POST') {
        if (form.features) configuration.features = form.features as Json;
        if (form.business_profile) configuration.business_profile = form.business_profile as Json;
        if (form.default_return_url !== undefined) configuration.default_return_url = asString(form.default_return_url) || null;
        if (form.metadata) configuration.metadata = { ...configuration.metadata, ...asRecord(form.metadata) };
      }
      return (answer(200, configuration), true);
    }

    if (path === '/v1/webhook_endpoints' && method === 'GET') return (answer(200, list(path, webhookEndpoints)), true);
    if (path === '/v1/webhook_endpoints' && method === 'POST') {
      const endpoint: EndpointRecord = {
        id: nextId('we'),
        object: 'webhook_endpoint',
        url: asString(form.url) ?? '',
        enabled_events: asArray(form.enabled_events).map(String),
        api_version: asString(form.api_version) ?? null,
        status: 'enabled',
      };
      webhookEndpoints.unshift(endpoint);
      // Stripe shows the signing secret once, in the answer that created the endpoint.
      return (answer(200, { ...endpoint, secret: `whsec_double${sequence}` }), true);
    }
    if ((match = /^\/v1\/webhook_endpoints\/([^/]+)$/.exec(path))) {
      const endpoint = webhookEndpoints.find((candidate) => candidate.id === match?.[1]);
      if (!endpoint) return (missing(answer, 'webhook endpoint', match[1] ?? ''), true);
      if (method === 'POST' && form.enabled_events !== undefined) endpoint.enabled_events = asArray(form.enabled_events).map(String);
      return (answer(200, endpoint), true);
    }

    if (path === '/v1/subscription_schedules' && method === 'POST') {
      const subscriptionId = asString(form.from_subscription) ?? '';
      const subscription = findSubscription?.(subscriptionId);
      if (!subscription) return (missing(answer, 'subscription', subscriptionId), true);
      if ([...schedules.values()].some((schedule) => schedule.subscription === subscriptionId && schedule.status === 'active')) {
        return (invalid(answer, 'You cannot migrate a subscription that is already attached to a schedule.', 'from_subscription'), true);
      }
      const schedule = scheduleFrom(subscription);
      schedules.set(schedule.id, schedule);
      return (answer(200, schedule), true);
    }
    if ((match = /^\/v1\/subscription_schedules\/([^/]+)(\/release|\/cancel)?$/.exec(path))) {
      const schedule = schedules.get(match[1] ?? '');
      if (!schedule) return (missing(answer, 'subscription schedule', match[1] ?? ''), true);
      if (method === 'POST' && match[2] === '/release') {
        schedule.status = 'released';
        schedule.released_subscription = schedule.subscription;
        schedule.subscription = null;
      } else if (method === 'POST' && match[2] === '/cancel') {
        schedule.status = 'canceled';
      } else if (method === 'POST') {
        if (form.end_behavior) schedule.end_behavior = asString(form.end_behavior) ?? schedule.end_behavior;
        if (form.phases) updatePhases(schedule, asArray(form.phases));
      }
      return (answer(200, schedule), true);
    }
    return false;
  }

  /** A price the account already has (as `stripe:setup` would leave it), with a fixed id. */
  function addPrice({
    id,
    lookupKey,
    unitAmount,
    interval,
    product = 'prod_double_catalog',
  }: {
    id: string;
    lookupKey: string | null;
    unitAmount: number;
    interval: 'month' | 'year';
    product?: string;
  }) {
    if (!products.has(product))
      products.set(product, {
        id: product,
        object: 'product',
        name: product,
        description: null,
        active: true,
        metadata: {},
        created: now(),
      });
    prices.set(id, {
      id,
      object: 'price',
      active: true,
      product,
      currency: 'usd',
      unit_amount: unitAmount,
      lookup_key: lookupKey,
      recurring: { interval, interval_count: 1 },
      metadata: {},
      created: now(),
    });
  }

  return { products, prices, portalConfigurations, webhookEndpoints, schedules, handle, addPrice };
}
