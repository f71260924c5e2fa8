import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Stripe from 'stripe';

export type EventsApiRequest = { method: string; path: string; query: URLSearchParams; authorization: string | undefined };

type StoredEvent = { event: { id: string; created: number; type: string }; body: string; sequence: number };

const MAX_LIMIT = 100;

/**
 * A local stand-in for Stripe's Events API (`GET /v1/events`, `GET /v1/events/:id`) with Stripe's
 * list semantics: newest first (by `created`, then by arrival), `limit` (1–100, default 10),
 * `starting_after` (older than the id), `ending_before` (newer than the id: the page nearest to it),
 * `created[gt|gte|lt|lte]` (or `created=`), `types[]` / `type` (with a trailing `*` wildcard),
 * `has_more`, `object: 'list'` and `url`. A cursor id it does not hold answers 404
 * `resource_missing`, as Stripe does for an event it no longer keeps. Holds the bodies it is given,
 * byte for byte, and records every request.
 */
export async function startStripeEventsApi({ secretKey = 'sk_test_events_api' }: { secretKey?: string } = {}) {
  const events: StoredEvent[] = [];
  const requests: EventsApiRequest[] = [];
  let sequence = 0;
  let held: (() => void)[] | null = null;
  let failures = 0;

  const newestFirst = () => [...events].sort((a, b) => b.event.created - a.event.created || b.sequence - a.sequence);

  function json(response: ServerResponse, status: number, body: unknown) {
    response
      .writeHead(status, { 'content-type': 'application/json', 'request-id': `req_double_${requests.length}` })
      .end(JSON.stringify(body));
  }
  function invalid(response: ServerResponse, status: number, message: string, extra: Record<string, string> = {}) {
    json(response, status, { error: { type: 'invalid_request_error', message, ...extra } });
  }

  function createdFilter(query: URLSearchParams): ((created: number) => boolean) | string {
    const bounds: [string, (created: number, bound: number) => boolean][] = [
      ['gt', (created, bound) => created > bound],
      ['gte', (created, bound) => created >= bound],
      ['lt', (created, bound) => created < bound],
      ['lte', (created, bound) => created <= bound],
    ];
    const checks: ((created: number) => boolean)[] = [];
    const exact = query.get('created');
    if (exact !== null) {
      if (!/^\d+$/.test(exact)) return 'Invalid integer: created';
      checks.push((created) => created === Number(exact));
    }
    for (const [name, compare] of bounds) {
      const value = query.get(`created[${name}]`);
      if (value === null) continue;
      if (!/^\d+$/.test(value)) return `Invalid integer: created[${name}]`;
      checks.push((created) => compare(created, Number(value)));
    }
    return (created) => checks.every((check) => check(created));
  }

  function typeFilter(query: URLSearchParams): (type: string) => boolean {
    const wanted = [...query.entries()].filter(([key]) => /^types\[\d*\]$/.test(key)).map(([, value]) => value);
    const single = query.get('type');
    if (single) wanted.push(single);
    if (wanted.length === 0) return () => true;
    return (type) => wanted.some((pattern) => (pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern));
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
    const inCreatedRange = createdFilter(query);
    if (typeof inCreatedRange === 'string') return invalid(response, 400, inCreatedRange, { param: 'created' });
    const ofType = typeFilter(query);

    const all = newestFirst();
    const cursorId = startingAfter ?? endingBefore;
    let candidates = all;
    if (cursorId) {
      const at = all.findIndex((stored) => stored.event.id === cursorId);
      if (at === -1)
        return invalid(response, 404, `No such event: '${cursorId}'`, {
          code: 'resource_missing',
          param: startingAfter ? 'starting_after' : 'ending_before',
        });
      candidates = startingAfter ? all.slice(at + 1) : all.slice(0, at);
    }
    const matching = candidates.filter((stored) => inCreatedRange(stored.event.created) && ofType(stored.event.type));
    // ending_before: the page nearest the cursor, still newest first; has_more = newer ones remain.
    const page = endingBefore ? matching.slice(Math.max(0, matching.length - limit)) : matching.slice(0, limit);
    const hasMore = matching.length > page.length;
    response.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_double_${requests.length}` });
    response.end(`{"object":"list","data":[${page.map((stored) => stored.body).join(',')}],"has_more":${hasMore},"url":"/v1/events"}`);
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
    if (request.method === 'GET' && url.pathname === '/v1/events') return list(url.searchParams, response);
    const single = /^\/v1\/events\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && single) {
      const stored = events.find((candidate) => candidate.event.id === decodeURIComponent(single[1] ?? ''));
      if (!stored) return invalid(response, 404, `No such event: '${single[1]}'`, { code: 'resource_missing', param: 'id' });
      response.writeHead(200, { 'content-type': 'application/json' }).end(stored.body);
      return;
    }
    return invalid(response, 404, `Unrecognized request URL (${request.method}: ${url.pathname}).`);
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({
      method: request.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      authorization: request.headers.authorization,
    });
    request.resume();
    request.on('end', () => {
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
    /** Stores event bodies (JSON strings) as Stripe would list them; later ones are newer within a second. */
    add(...bodies: string[]) {
      for (const body of bodies) {
        const event = JSON.parse(body) as StoredEvent['event'];
        events.push({ event, body: JSON.stringify(event), sequence: sequence++ });
      }
    },
    /** Holds every request until `release()`: lets a test act while a caller waits on Stripe. */
    hold() {
      held ??= [];
    },
    release() {
      const waiting = held ?? [];
      held = null;
      for (const answer of waiting) answer();
    },
    /** The next `count` requests answer 500, as Stripe does in an outage. */
    failNext(count: number) {
      failures = count;
    },
    /** Forgets every event and request (a fresh Stripe account). */
    reset() {
      events.length = 0;
      requests.length = 0;
      failures = 0;
    },
    /** Requests to the list endpoint, in order. */
    listRequests: () => requests.filter((request) => request.path === '/v1/events'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type StripeEventsApi = Awaited<ReturnType<typeof startStripeEventsApi>>;
