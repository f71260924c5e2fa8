import { createServer, type IncomingMessage } from 'node:http';
import Stripe from 'stripe';

export type RecordedRequest = { method: string; path: string; body: URLSearchParams };

/**
 * A local stand-in for Stripe's API (api.stripe.com is out of reach in tests): it records the
 * form-encoded requests the real stripe-node client sends, and answers like Stripe would.
 */
export async function startStripeApiDouble() {
  const requests: RecordedRequest[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => { raw += chunk.toString(); });
    request.on('end', () => {
      const path = request.url ?? '';
      requests.push({ method: request.method ?? '', path, body: new URLSearchParams(raw) });
      const json = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_double' }).end(JSON.stringify(body));
      if (path === '/v1/checkout/sessions') return json(200, { id: 'cs_test_double', object: 'checkout.session', url: 'https://checkout.stripe.com/c/pay/cs_test_double' });
      if (path === '/v1/billing_portal/sessions') return json(200, { id: 'bps_double', object: 'billing_portal.session', url: 'https://billing.stripe.com/p/session/double' });
      return json(404, { error: { type: 'invalid_request_error', message: `No such route ${path}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const stripe = new Stripe('sk_test_double', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  return { stripe, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
