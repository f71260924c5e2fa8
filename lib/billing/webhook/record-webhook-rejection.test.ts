import { describe, expect, it, vi } from 'vitest';
import { getPrisma } from '../../db/client';
import { recordWebhookRejection } from './record-webhook-rejection';

describe('recordWebhookRejection', () => {
  it('logs, but survives, a counter that cannot be written', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const spy = vi.spyOn(getPrisma(), '$executeRaw').mockRejectedValueOnce(new Error('database down'));
    await expect(recordWebhookRejection('invalid_signature')).resolves.toBeUndefined();
    expect(errors.mock.calls.flat().join('\n')).toMatch(
      /"msg":"Rejection counter not recorded","reason":"invalid_signature","error":"database down"/,
    );
    spy.mockRestore();
  });
});
