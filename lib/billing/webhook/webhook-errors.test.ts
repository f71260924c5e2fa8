import { afterAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { rejectionCount, testPool } from '../../../tests/support/database';
import { CacheInvalidationError } from '../../cache/feature-cache';
import { getPrisma } from '../../db/client';
import { recordWebhookRejection } from './record-webhook-rejection';
import { WebhookConfigurationError, WebhookProcessingError, WebhookRejection, webhookErrorResponse } from './webhook-errors';

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

async function answer(error: unknown) {
  const response = await webhookErrorResponse(error);
  return { status: response.status, body: (await response.json()) as { error: string } };
}

describe('webhookErrorResponse', () => {
  it('maps rejections to 4xx and counts them per hour and reason', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = await rejectionCount(pool, 'invalid_signature');
    expect(await answer(new WebhookRejection('invalid_signature'))).toEqual({ status: 400, body: { error: 'No signature matches the configured webhook secret' } });
    expect(await answer(new WebhookRejection('payload_too_large'))).toMatchObject({ status: 413 });
    expect(await rejectionCount(pool, 'invalid_signature')).toBe(before + 1);
    // One counter row for this hour and reason, however many rejections (other tests seed other hours).
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM stripe_webhook_rejections WHERE reason = $1 AND hour = date_trunc('hour', now())`, ['invalid_signature']);
    expect(rows[0]?.n).toBe(1);
  });

  it('maps failures that a retry can fix to 500 without leaking details', async () => {
    const processing = await answer(new WebhookProcessingError('evt_1', new Error('connection refused to 10.0.0.1 password=hunter2')));
    expect(processing.status).toBe(500);
    expect(JSON.stringify(processing.body)).not.toMatch(/hunter2|10\.0\.0\.1/);
    expect((await answer(new CacheInvalidationError('user_1', new Error('KV down')))).status).toBe(500);
    expect((await answer(new WebhookConfigurationError('STRIPE_WEBHOOK_SECRET is not configured'))).status).toBe(500);
    expect((await answer(new Error('bug'))).status).toBe(500);
    expect((await answer('a string')).status).toBe(500);
  });

  it('logs, but survives, a counter that cannot be written', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const spy = vi.spyOn(getPrisma(), '$executeRaw').mockRejectedValueOnce(new Error('database down'));
    await expect(recordWebhookRejection('invalid_signature')).resolves.toBeUndefined();
    expect(errors.mock.calls.flat().join('\n')).toMatch(/"msg":"Rejection counter not recorded","reason":"invalid_signature","error":"database down"/);
    spy.mockRestore();
  });
});
