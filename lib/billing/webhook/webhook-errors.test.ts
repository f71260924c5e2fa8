import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { rejectionCount, testPool } from '../../../tests/support/database';
import { CacheInvalidationError } from '../../cache/feature-cache';
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
  const logs = await errorLogs(async () => {
    response = await webhookErrorResponse(error);
  });
  return { status: response!.status, body: (await response!.json()) as unknown, logs };
}

async function statusAndBody(error: unknown) {
  const response = await webhookErrorResponse(error);
  return { status: response.status, body: (await response.json()) as { error: string } };
}

describe('webhookErrorResponse', () => {
  it.each([
    ['missing_signature', 400, 'Missing stripe-signature header', 'Signature verification failed'],
    ['invalid_signature', 400, 'No signature matches the configured webhook secret', 'Signature verification failed'],
    ['timestamp_out_of_tolerance', 400, 'Signature timestamp is outside the tolerance window', 'Signature verification failed'],
    ['invalid_payload', 400, 'Body is not a valid Stripe event', 'Webhook payload is not a Stripe event'],
    ['payload_too_large', 413, 'Body exceeds the 1 MiB limit', 'Webhook body too large'],
    ['body_timeout', 408, 'Body was not received in time', 'Webhook body not received in time'],
  ] as const)('answers a %s rejection %i with its message, logs it by name and counts it', async (reason, status, message, msg) => {
    const before = await rejectionCount(pool, reason);
    const rejection = new WebhookRejection(reason);
    expect(rejection).toMatchObject({ name: 'WebhookRejection', reason, message });
    expect(await answer(rejection)).toEqual({ status, body: { error: message }, logs: [{ level: 'error', msg, reason }] });
    expect(await rejectionCount(pool, reason)).toBe(before + 1);
  });

  it('answers 500 to a processing failure, without its details, so Stripe retries', async () => {
    const cause = new Error('connection refused');
    const error = new WebhookProcessingError('evt_1', cause);
    expect(error.cause).toBe(cause);
    expect(error).toMatchObject({
      name: 'WebhookProcessingError',
      eventId: 'evt_1',
      message: 'Processing of evt_1 failed: connection refused',
    });
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
      logs: [
        {
          level: 'error',
          msg: 'Webhook cache invalidation failed after commit',
          error: 'Could not clear the feature cache of user user_1: KV down',
        },
      ],
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

  it('maps rejections to 4xx and counts them per hour and reason', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = await rejectionCount(pool, 'invalid_signature');
    expect(await statusAndBody(new WebhookRejection('invalid_signature'))).toEqual({
      status: 400,
      body: { error: 'No signature matches the configured webhook secret' },
    });
    expect(await statusAndBody(new WebhookRejection('payload_too_large'))).toMatchObject({ status: 413 });
    expect(await rejectionCount(pool, 'invalid_signature')).toBe(before + 1);
    // One counter row for this hour and reason, however many rejections (other tests seed other hours).
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM stripe_webhook_rejections WHERE reason = $1 AND hour = date_trunc('hour', now())`,
      ['invalid_signature'],
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('maps failures that a retry can fix to 500 without leaking details', async () => {
    const processing = await statusAndBody(
      new WebhookProcessingError('evt_1', new Error('connection refused to 10.0.0.1 password=hunter2')),
    );
    expect(processing.status).toBe(500);
    expect(JSON.stringify(processing.body)).not.toMatch(/hunter2|10\.0\.0\.1/);
    expect((await statusAndBody(new CacheInvalidationError('user_1', new Error('KV down')))).status).toBe(500);
    expect((await statusAndBody(new WebhookConfigurationError('STRIPE_WEBHOOK_SECRET is not configured'))).status).toBe(500);
    expect((await statusAndBody(new Error('bug'))).status).toBe(500);
    expect((await statusAndBody('a string')).status).toBe(500);
  });
});
