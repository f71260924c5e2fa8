import Stripe from 'stripe';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { rejectionCount, testPool } from '../../../tests/support/database';
import { CacheInvalidationError } from '../../cache/feature-cache';
import { DEVELOPMENT_WEBHOOK_SECRET } from '../../env';
import { readWebhookBody } from './read-webhook-body';
import { verifyStripeSignature } from './verify-stripe-signature';
import { WebhookConfigurationError, WebhookProcessingError, WebhookRejection, webhookErrorResponse } from './webhook-errors';

// What Stripe (or a forger) gets back for each way a delivery can go wrong, and what an operator reads
// in the logs and the rejection counters.

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());
afterEach(() => {
  vi.restoreAllMocks();
});

/** The JSON lines the logger wrote to stderr while `run` ran. */
async function errorLogs(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
  await run();
  const lines = spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
  spy.mockRestore();
  // The time of each line is the only field that changes from run to run.
  for (const line of lines) delete line.time;
  return lines;
}

async function answer(error: unknown) {
  let response: Response | undefined;
  const logs = await errorLogs(async () => { response = await webhookErrorResponse(error); });
  return { status: response!.status, body: (await response!.json()) as unknown, logs };
}

describe('webhookErrorResponse', () => {
  it.each([
    ['missing_signature', 400, 'Missing stripe-signature header'],
    ['invalid_signature', 400, 'No signature matches the configured webhook secret'],
    ['timestamp_out_of_tolerance', 400, 'Signature timestamp is outside the tolerance window'],
    ['invalid_payload', 400, 'Body is not a valid Stripe event'],
    ['payload_too_large', 413, 'Body exceeds the 1 MiB limit'],
    ['body_timeout', 408, 'Body was not received in time'],
  ] as const)('answers a %s rejection %i with its message, logs and counts it', async (reason, status, message) => {
    const before = await rejectionCount(pool, reason);
    const rejection = new WebhookRejection(reason);
    expect(rejection).toMatchObject({ name: 'WebhookRejection', reason, message });
    expect(await answer(rejection)).toEqual({ status, body: { error: message }, logs: [{ level: 'error', msg: 'Signature verification failed', reason }] });
    expect(await rejectionCount(pool, reason)).toBe(before + 1);
  });

  it('answers 500 to a processing failure, without its details, so Stripe retries', async () => {
    const cause = new Error('connection refused');
    const error = new WebhookProcessingError('evt_1', cause);
    expect(error.cause).toBe(cause);
    expect(error).toMatchObject({ name: 'WebhookProcessingError', eventId: 'evt_1', message: 'Processing of evt_1 failed: connection refused' });
    expect(new WebhookProcessingError('evt_2', 'timeout').message).toBe('Processing of evt_2 failed: timeout');
    expect(await answer(error)).toEqual({
      status: 500,
      body: { error: 'Webhook processing failed; a retry will process it again' },
      logs: [{ level: 'error', msg: 'Webhook failed', event_id: 'evt_1', error: 'Processing of evt_1 failed: connection refused' }],
    });
  });

  it('answers 500 to a cache that could not be cleared after commit', async () => {
    const cause = new Error('KV down');
    const error = new CacheInvalidationError('user_1', cause);
    expect(error.cause).toBe(cause);
    expect(error).toMatchObject({ name: 'CacheInvalidationError', message: 'Could not clear the feature cache of user user_1: KV down' });
    expect(new CacheInvalidationError('user_2', 'timeout').message).toBe('Could not clear the feature cache of user user_2: timeout');
    expect(await answer(error)).toEqual({
      status: 500,
      body: { error: 'Feature cache invalidation failed; the event is stored and a retry clears the cache' },
      logs: [{ level: 'error', msg: 'Webhook cache invalidation failed after commit', error: 'Could not clear the feature cache of user user_1: KV down' }],
    });
  });

  it('answers 500 with the reason to a missing configuration', async () => {
    const error = new WebhookConfigurationError('STRIPE_WEBHOOK_SECRET is not configured');
    expect(error.name).toBe('WebhookConfigurationError');
    expect(await answer(error)).toEqual({
      status: 500,
      body: { error: 'STRIPE_WEBHOOK_SECRET is not configured' },
      logs: [{ level: 'error', msg: 'Webhook misconfigured', error: 'STRIPE_WEBHOOK_SECRET is not configured' }],
    });
  });

  it('answers 500 to anything else', async () => {
    expect(await answer(new Error('bug'))).toEqual({
      status: 500,
      body: { error: 'Webhook processing failed; a retry will process it again' },
      logs: [{ level: 'error', msg: 'Webhook failed unexpectedly', error: 'bug' }],
    });
  });
});

describe('verifyStripeSignature with the configured secrets', () => {
  const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'customer.created', created: 1, livemode: false, api_version: null, data: { object: { id: 'cus_1' } } });
  const sign = (secret: string, timestamp?: number) => Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
  const reason = (header: string | null, secrets?: string[]) => {
    try {
      return verifyStripeSignature({ rawBody: Buffer.from(body), header, secrets }).id;
    } catch (error) {
      return error instanceof WebhookRejection ? error.reason : (error as Error).message;
    }
  };

  it('uses the development secret and a 300-second tolerance when nothing else is configured', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(reason(sign(DEVELOPMENT_WEBHOOK_SECRET))).toBe('evt_1');
    expect(reason(sign(DEVELOPMENT_WEBHOOK_SECRET, now - 280))).toBe('evt_1');
    expect(reason(sign(DEVELOPMENT_WEBHOOK_SECRET, now - 320))).toBe('timestamp_out_of_tolerance');
    expect(reason(sign('whsec_other'))).toBe('invalid_signature');
  });

  it('treats an empty header as missing, and says what is missing without a secret', () => {
    expect(reason('')).toBe('missing_signature');
    expect(reason(sign('whsec_a'), [])).toBe('STRIPE_WEBHOOK_SECRET is not configured');
  });

  it('refuses a signed body that is not a Stripe event envelope', () => {
    const signedReason = (value: unknown) => {
      const payload = JSON.stringify(value);
      try {
        return verifyStripeSignature({ rawBody: Buffer.from(payload), header: Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_a' }), secrets: ['whsec_a'] }).id;
      } catch (error) {
        return error instanceof WebhookRejection ? error.reason : (error as Error).message;
      }
    };
    const event = JSON.parse(body) as Record<string, unknown>;
    expect(signedReason(event)).toBe('evt_1');
    expect(signedReason({ ...event, id: 'xevt_1' })).toBe('invalid_payload');
    expect(signedReason({ ...event, data: {} })).toBe('invalid_payload');
    expect(signedReason({ ...event, data: { object: { id: 42 } } })).toBe('invalid_payload');
    expect(signedReason({ ...event, data: { object: { object: 'balance' } } })).toBe('evt_1');
  });

  it('finds the replay whichever configured secret signed it', () => {
    const old = Math.floor(Date.now() / 1000) - 3_600;
    expect(reason(sign('whsec_b', old), ['whsec_a', 'whsec_b'])).toBe('timestamp_out_of_tolerance');
    expect(reason(sign('whsec_a', old), ['whsec_a', 'whsec_b'])).toBe('timestamp_out_of_tolerance');
  });
});

describe('readWebhookBody at the limit', () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request('http://localhost/api/webhooks/stripe', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
  const stream = (sizes: number[]) => new ReadableStream<Uint8Array>({
    start(controller) {
      for (const size of sizes) controller.enqueue(new Uint8Array(size).fill(120));
      controller.close();
    },
  });

  it('accepts exactly the limit, declared or streamed, and refuses one byte more', async () => {
    expect((await readWebhookBody(post('x'.repeat(25), { 'content-length': '25' }), 25)).toString()).toBe('x'.repeat(25));
    await expect(readWebhookBody(post('x'.repeat(26), { 'content-length': '26' }), 25)).rejects.toMatchObject({ reason: 'payload_too_large' });
    expect((await readWebhookBody(post(stream([10, 10, 5])), 25)).toString()).toBe('x'.repeat(25));
    await expect(readWebhookBody(post(stream([10, 10, 6])), 25)).rejects.toMatchObject({ reason: 'payload_too_large' });
  });

  it('accepts a body of 1 MiB by default and refuses a larger declared one', async () => {
    const mebibyte = 1024 * 1024;
    expect((await readWebhookBody(post(stream([mebibyte])))).length).toBe(mebibyte);
    await expect(readWebhookBody(post('x', { 'content-length': String(mebibyte + 1) }))).rejects.toMatchObject({ reason: 'payload_too_large' });
  });

  it('leaves no deadline timer behind once the body is read', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      expect((await readWebhookBody(post(stream([10])), 25, 5_000)).length).toBe(10);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops reading a body it refuses', async () => {
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) { controller.enqueue(new Uint8Array(10)); },
      cancel() { cancelled = true; },
    });
    await expect(readWebhookBody(post(endless), 25)).rejects.toMatchObject({ reason: 'payload_too_large' });
    await vi.waitFor(() => expect(cancelled).toBe(true));
  });
});
