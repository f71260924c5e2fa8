import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TEST_WEBHOOK_SECRETS } from '../support/app-server';
import { testPool } from '../support/database';
import { eventBody, freshScenario, signatureHeader } from '../support/stripe-events';

const appUrl = inject('appUrl');
const pool = testPool(inject('databaseUrl'));
const [secret] = TEST_WEBHOOK_SECRETS as [string];

async function eventCount(): Promise<number> {
  return (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM stripe_webhook_events')).rows[0]?.n ?? 0;
}

async function post(body: string | Uint8Array, header: string | null): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (header !== null) headers['stripe-signature'] = header;
  const response = await fetch(`${appUrl}/api/webhooks/stripe`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  await response.arrayBuffer();
  return response.status;
}

let before = 0;
beforeAll(async () => {
  before = await eventCount();
});
afterAll(async () => {
  // Nothing unsigned (or signed but not a Stripe event) was ever written, and the server still serves.
  expect(await eventCount()).toBe(before);
  expect((await fetch(`${appUrl}/api/health`)).status).toBe(200);
  await pool.end();
});

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const header = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 200 }),
  fc
    .tuple(fc.integer({ min: 0, max: 4_102_444_800 }), fc.array(hex64, { maxLength: 4 }))
    .map(([t, signatures]) => [`t=${t}`, ...signatures.map((v) => `v1=${v}`)].join(',')),
  fc.tuple(fc.integer(), hex64).map(([t, v]) => `t=${t}, v1=${v}`),
);
const body = fc.oneof(
  fc.string({ maxLength: 2_000 }),
  fc.string({ unit: 'binary', maxLength: 2_000 }),
  fc.json({ maxDepth: 4 }),
  fc.uint8Array({ maxLength: 4_096 }),
  fc
    .constantFrom(...(['customer.subscription.created', 'checkout.session.completed'] as const))
    .map((name) => eventBody(name, freshScenario())),
);

describe('hostile input (property-based, over HTTP)', () => {
  it('forged or unsigned requests of any shape: always 4xx, never stored', async () => {
    await fc.assert(
      fc.asyncProperty(body, header, async (payload, signature) => {
        const status = await post(payload, signature);
        expect([400, 413]).toContain(status);
      }),
      { numRuns: 150 },
    );
  });

  it('bodies signed with a secret the app does not have: 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        body.filter((b) => typeof b === 'string'),
        fc.string({ minLength: 1, maxLength: 60 }),
        async (payload, wrong) => {
          fc.pre(!TEST_WEBHOOK_SECRETS.includes(wrong) && wrong.trim().length > 0);
          expect(await post(payload as string, signatureHeader(payload as string, wrong))).toBe(400);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('correctly signed bodies that are not Stripe events: 400', async () => {
    const notEvent = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc.string({ maxLength: 500 }),
      fc.record({ id: fc.string(), object: fc.string(), type: fc.string() }).map((value) => JSON.stringify(value)),
    );
    await fc.assert(
      fc.asyncProperty(notEvent, async (payload) => {
        expect(await post(payload, signatureHeader(payload, secret))).toBe(400);
      }),
      { numRuns: 80 },
    );
  });

  it('real events signed at a time outside the tolerance: 400', async () => {
    const age = fc.integer({ min: 301, max: 10 * 365 * 86_400 });
    await fc.assert(
      fc.asyncProperty(age, async (seconds) => {
        const payload = eventBody('customer.subscription.updated', freshScenario());
        expect(await post(payload, signatureHeader(payload, secret, Math.floor(Date.now() / 1000) - seconds))).toBe(400);
      }),
      { numRuns: 25 },
    );
  });

  it('sizes around the 1 MiB limit: 413 above it, a plain 400 below it', async () => {
    for (const size of [1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1, 5 * 1024 * 1024]) {
      expect(await post('x'.repeat(size), 't=1,v1=00')).toBe(size > 1024 * 1024 ? 413 : 400);
    }
  });

  it('a body that trickles in (slow-loris) is cut off at the deadline with 408', async () => {
    const { hostname, port } = new URL(appUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          `POST /api/webhooks/stripe HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nStripe-Signature: t=1,v1=00\r\nContent-Length: 1000\r\n\r\n{"id":`,
        );
      });
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString();
        if (received.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on('error', reject);
      // Liveness bound only: a handler that never answers fails here instead of hanging the suite.
      socket.setTimeout(20_000, () => reject(new Error('the server never answered a stalled body')));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});
