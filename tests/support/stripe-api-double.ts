import { createServer, type IncomingMessage } from 'node:http';
import Stripe from 'stripe';
import { createCatalogApi } from './stripe-catalog-api';

export type RecordedRequest = { method: string; path: string; body: URLSearchParams };

/** A webhook endpoint as `GET /v1/webhook_endpoints` lists it (the fields the monitor reads). */
export type DoubleWebhookEndpoint = {
  id: string;
  object: 'webhook_endpoint';
  url: string;
  status: 'enabled' | 'disabled';
  api_version: string | null;
  enabled_events: string[];
};

type DoubleSubscription = {
  id: string;
  object: 'subscription';
  customer: string;
  status: string;
  cancel_at_period_end: boolean;
  items: {
    object: 'list';
    data: {
      id: string;
      object: 'subscription_item';
      price: { id: string; object: 'price' };
      quantity?: number;
      current_period_start?: number;
      current_period_end?: number;
    }[];
  };
};

/**
 * A local stand-in for Stripe's API (api.stripe.com is out of reach in tests): it records the
 * form-encoded requests the real stripe-node client sends, and answers like Stripe would.
 * Subscriptions added with `addSubscription` can be listed, retrieved and updated.
 */
export async function startStripeApiDouble() {
  const requests: RecordedRequest[] = [];
  const subscriptions = new Map<string, DoubleSubscription>();
  const webhookEndpoints: DoubleWebhookEndpoint[] = [];
  const catalog = createCatalogApi({
    webhookEndpoints,
    findSubscription: (id) => {
      const item = subscriptions.get(id)?.items.data[0];
      const subscription = subscriptions.get(id);
      if (!subscription || !item) return undefined;
      const start = item.current_period_start ?? Math.floor(Date.now() / 1000);
      return {
        id,
        customer: subscription.customer,
        price: item.price.id,
        quantity: item.quantity ?? 1,
        periodStart: start,
        periodEnd: item.current_period_end ?? start + 30 * 86_400,
      };
    },
  });
  const server = createServer((request: IncomingMessage, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
    });
    request.on('end', () => {
      const path = request.url ?? '';
      const url = new URL(path, 'http://double');
      const method = request.method ?? '';
      const body = new URLSearchParams(method === 'GET' ? url.search : raw);
      requests.push({ method, path, body });
      const json = (status: number, answer: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_double' }).end(JSON.stringify(answer));
      const missing = (id: string) =>
        json(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such subscription: '${id}'` } });
      if (path === '/v1/checkout/sessions')
        return json(200, { id: 'cs_test_double', object: 'checkout.session', url: 'https://checkout.stripe.com/c/pay/cs_test_double' });
      if (path === '/v1/billing_portal/sessions')
        return json(200, { id: 'bps_double', object: 'billing_portal.session', url: 'https://billing.stripe.com/p/session/double' });
      if (url.pathname === '/v1/subscriptions' && method === 'GET') {
        const customer = body.get('customer');
        const data = [...subscriptions.values()].filter((subscription) => !customer || subscription.customer === customer);
        return json(200, { object: 'list', url: '/v1/subscriptions', has_more: false, data });
      }
      if (url.pathname === '/v1/webhook_endpoints' && method === 'GET')
        return json(200, { object: 'list', url: '/v1/webhook_endpoints', has_more: false, data: webhookEndpoints });
      const match = /^\/v1\/subscriptions\/([^/]+)$/.exec(url.pathname);
      if (match?.[1]) {
        const subscription = subscriptions.get(match[1]);
        if (!subscription) return missing(match[1]);
        if (method === 'POST') applySubscriptionUpdate(subscription, body);
        return json(200, subscription);
      }
      if (catalog.handle(method, url, body, json)) return;
      return json(404, { error: { type: 'invalid_request_error', message: `No such route ${path}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const stripe = new Stripe('sk_test_double', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  return {
    stripe,
    /** The base URL to give the app as STRIPE_API_URL. */
    url: `http://127.0.0.1:${port}`,
    requests,
    subscriptions,
    /** The account's webhook endpoints, newest first, as `GET /v1/webhook_endpoints` answers them. */
    webhookEndpoints,
    catalog,
    /** A subscription Stripe knows, with one item at `priceId`. */
    addSubscription({
      id,
      customer,
      status = 'active',
      priceId,
      itemId = `si_${id}`,
    }: {
      id: string;
      customer: string;
      status?: string;
      priceId: string;
      itemId?: string;
    }) {
      subscriptions.set(id, {
        id,
        object: 'subscription',
        customer,
        status,
        cancel_at_period_end: false,
        items: { object: 'list', data: [{ id: itemId, object: 'subscription_item', price: { id: priceId, object: 'price' } }] },
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The parts of Stripe's subscription update the app sends: the cancel flag and item prices. */
function applySubscriptionUpdate(subscription: DoubleSubscription, body: URLSearchParams) {
  const cancel = body.get('cancel_at_period_end');
  if (cancel !== null) subscription.cancel_at_period_end = cancel === 'true';
  for (let index = 0; body.has(`items[${index}][id]`); index += 1) {
    const item = subscription.items.data.find((candidate) => candidate.id === body.get(`items[${index}][id]`));
    const price = body.get(`items[${index}][price]`);
    if (item && price) item.price = { id: price, object: 'price' };
    const quantity = body.get(`items[${index}][quantity]`);
    if (item && quantity) item.quantity = Number(quantity);
  }
}
