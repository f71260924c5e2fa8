import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Stripe from 'stripe';

export type SubscriptionsApiRequest = { method: string; path: string; query: URLSearchParams };

const MAX_LIMIT = 100;
const DAY = 86_400;

export type SubscriptionSpec = {
  id: string;
  customer: string;
  status?: string;
  priceId?: string;
  lookupKey?: string | null;
  interval?: 'month' | 'year';
  quantity?: number;
  periodEnd?: number;
  cancelAtPeriodEnd?: boolean;
  cancelAt?: number | null;
  canceledAt?: number | null;
  endedAt?: number | null;
  trialEnd?: number | null;
  metadata?: Record<string, string>;
  /** Unix seconds; later ones list first. */
  created?: number;
};

/** A subscription object as Stripe's API (basil and later) returns it: the period on its items. */
export function subscriptionObject(spec: SubscriptionSpec) {
  const created = spec.created ?? Math.floor(Date.now() / 1000) - 10 * DAY;
  const periodEnd = spec.periodEnd ?? created + 30 * DAY;
  const priceId = spec.priceId ?? 'price_pro_monthly_sync';
  return {
    id: spec.id,
    object: 'subscription',
    customer: spec.customer,
    status: spec.status ?? 'active',
    created,
    livemode: false,
    metadata: spec.metadata ?? {},
    cancel_at_period_end: spec.cancelAtPeriodEnd ?? false,
    cancel_at: spec.cancelAt ?? null,
    canceled_at: spec.canceledAt ?? null,
    ended_at: spec.endedAt ?? null,
    trial_end: spec.trialEnd ?? null,
    schedule: null,
    items: {
      object: 'list',
      has_more: false,
      url: `/v1/subscription_items?subscription=${spec.id}`,
      data: [
        {
          id: `si_${spec.id}`,
          object: 'subscription_item',
          quantity: spec.quantity ?? 1,
          current_period_start: periodEnd - 30 * DAY,
          current_period_end: periodEnd,
          price: {
            id: priceId,
            object: 'price',
            active: true,
            currency: 'usd',
            lookup_key: spec.lookupKey === undefined ? 'pro_monthly' : spec.lookupKey,
            product: 'prod_sync',
            type: 'recurring',
            unit_amount: 2_000,
            recurring: { interval: spec.interval ?? 'month', interval_count: 1 },
          },
        },
      ],
    },
  };
}

export type SubscriptionObject = ReturnType<typeof subscriptionObject>;

/**
 * A local stand-in for Stripe's `GET /v1/subscriptions` with Stripe's list semantics: newest first
 * (by `created`, then by insertion), `limit` (1–100, default 10), `starting_after` (older than the
 * id), `ending_before` (newer), `status` (default: every status but `canceled` and
 * `incomplete_expired`; `all`: every one), `customer`, `expand[]=data.customer` (the customer object
 * instead of its id). A cursor id it does not hold answers 404 `resource_missing`. Records every request.
 */
export async function startStripeSubscriptionsApi({ secretKey = 'sk_test_subscriptions_api' }: { secretKey?: string } = {}) {
  const subscriptions = new Map<string, { object: SubscriptionObject; sequence: number }>();
  const customers = new Map<string, { id: string; object: 'customer'; email: string | null }>();
  const requests: SubscriptionsApiRequest[] = [];
  let sequence = 0;
  let held: (() => void)[] | null = null;
  let holdAfterLists: number | null = null;
  let failures = 0;

  const newestFirst = () => [...subscriptions.values()].sort((a, b) => b.object.created - a.object.created || b.sequence - a.sequence);

  function json(response: ServerResponse, status: number, body: unknown) {
    response
      .writeHead(status, { 'content-type': 'application/json', 'request-id': `req_double_${requests.length}` })
      .end(JSON.stringify(body));
  }
  function invalid(response: ServerResponse, status: number, message: string, extra: Record<string, string> = {}) {
    json(response, status, { error: { type: 'invalid_request_error', message, ...extra } });
  }

  function statusFilter(status: string | null): (value: string) => boolean {
    if (status === 'all') return () => true;
    if (status) return (value) => value === status;
    return (value) => value !== 'canceled' && value !== 'incomplete_expired';
  }

  function list(query: URLSearchParams, response: ServerResponse) {
    const limitText = query.get('limit') ?? '10';
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT)
      return invalid(response, 400, 'This value must be greater than or equal to 1 and less than or equal to 100.', { param: 'limit' });
    const startingAfter = query.get('starting_after');
    const endingBefore = query.get('ending_before');
    if (startingAfter && endingBefore)
      return invalid(response, 400, 'You may only specify one of these parameters: ending_before, starting_after.');
    const all = newestFirst();
    const cursorId = startingAfter ?? endingBefore;
    let candidates = all;
    if (cursorId) {
      const at = all.findIndex((stored) => stored.object.id === cursorId);
      if (at === -1)
        return invalid(response, 404, `No such subscription: '${cursorId}'`, {
          code: 'resource_missing',
          param: startingAfter ? 'starting_after' : 'ending_before',
        });
      candidates = startingAfter ? all.slice(at + 1) : all.slice(0, at);
    }
    const ofStatus = statusFilter(query.get('status'));
    const customer = query.get('customer');
    const matching = candidates.filter(({ object }) => ofStatus(object.status) && (!customer || object.customer === customer));
    const page = endingBefore ? matching.slice(Math.max(0, matching.length - limit)) : matching.slice(0, limit);
    const expand = [...query.entries()].filter(([key]) => /^expand\[\d*\]$/.test(key)).map(([, value]) => value);
    const data = page.map(({ object }) =>
      expand.includes('data.customer')
        ? { ...object, customer: customers.get(object.customer) ?? { id: object.customer, object: 'customer', email: null } }
        : object,
    );
    json(response, 200, { object: 'list', data, has_more: matching.length > page.length, url: '/v1/subscriptions' });
  }

  function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (failures > 0) {
      failures -= 1;
      return json(response, 500, { error: { type: 'api_error', message: 'An unknown error occurred' } });
    }
    if (request.headers.authorization !== `Bearer ${secretKey}`) {
      return json(response, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
    }
    if (request.method === 'GET' && url.pathname === '/v1/subscriptions') return list(url.searchParams, response);
    const single = /^\/v1\/subscriptions\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && single) {
      const stored = subscriptions.get(decodeURIComponent(single[1] ?? ''));
      return stored
        ? json(response, 200, stored.object)
        : invalid(response, 404, `No such subscription: '${single[1]}'`, { code: 'resource_missing', param: 'id' });
    }
    return invalid(response, 404, `Unrecognized request URL (${request.method}: ${url.pathname}).`);
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: request.method ?? '', path: url.pathname, query: url.searchParams });
    request.resume();
    request.on('end', () => {
      const lists = requests.filter((recorded) => recorded.path === '/v1/subscriptions').length;
      if (holdAfterLists !== null && lists > holdAfterLists) held ??= [];
      if (held) held.push(() => handle(request, response));
      else handle(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    /** Base URL for STRIPE_API_URL. */
    url: `http://127.0.0.1:${port}`,
    port,
    secretKey,
    requests,
    /** A real stripe-node client pointed at the double. */
    client: () => new Stripe(secretKey, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 }),
    /** Subscriptions Stripe holds; later additions list first within the same `created`. */
    add(...specs: SubscriptionSpec[]) {
      for (const spec of specs) subscriptions.set(spec.id, { object: subscriptionObject(spec), sequence: sequence++ });
    },
    /** Changes a subscription in place, as a change made in Stripe's dashboard would. */
    update(id: string, change: (object: SubscriptionObject) => void) {
      const stored = subscriptions.get(id);
      if (!stored) throw new Error(`no subscription ${id}`);
      change(stored.object);
    },
    addCustomer(id: string, email: string | null) {
      customers.set(id, { id, object: 'customer', email });
    },
    /** Holds every request until `release()`. */
    hold() {
      held ??= [];
    },
    /** Answers the first `count` list requests, then holds the rest until `release()`. */
    holdAfter(count: number) {
      holdAfterLists = count;
    },
    release() {
      const waiting = held ?? [];
      held = null;
      holdAfterLists = null;
      for (const answer of waiting) answer();
    },
    /** The next `count` requests answer 500, as Stripe does in an outage. */
    failNext(count: number) {
      failures = count;
    },
    /** Forgets every subscription and request (a fresh Stripe account). */
    reset() {
      subscriptions.clear();
      customers.clear();
      requests.length = 0;
      failures = 0;
      held = null;
      holdAfterLists = null;
    },
    listRequests: () => requests.filter((request) => request.path === '/v1/subscriptions'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type StripeSubscriptionsApi = Awaited<ReturnType<typeof startStripeSubscriptionsApi>>;
