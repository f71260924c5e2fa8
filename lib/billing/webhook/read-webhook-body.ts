import { env } from '../../env';
import { BodyLimitError, readBoundedBody } from '../../http/read-bounded-body';
import { WebhookRejection } from './webhook-errors';

export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/**
 * Reads the raw body bytes (the signature covers them exactly), refusing more than `limit` bytes
 * and bodies that trickle in slower than the deadline, so neither can tie up the handler.
 */
export async function readWebhookBody(
  request: Request,
  limit = MAX_WEBHOOK_BODY_BYTES,
  timeoutMs = env.WEBHOOK_BODY_TIMEOUT_MS,
): Promise<Buffer> {
  try {
    return await readBoundedBody(request, limit, timeoutMs);
  } catch (error) {
    if (error instanceof BodyLimitError) throw new WebhookRejection(error.kind === 'too_large' ? 'payload_too_large' : 'body_timeout');
    throw error;
  }
}
