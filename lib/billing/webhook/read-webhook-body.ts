import { env } from '../../env';
import { WebhookRejection } from './webhook-errors';

export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/**
 * Reads the raw body bytes (the signature covers them exactly), refusing more than `limit` bytes
 * and bodies that trickle in slower than the deadline, so neither can tie up the handler.
 */
export async function readWebhookBody(request: Request, limit = MAX_WEBHOOK_BODY_BYTES, timeoutMs = env.WEBHOOK_BODY_TIMEOUT_MS): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limit) throw new WebhookRejection('payload_too_large');
  if (!request.body) return Buffer.alloc(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WebhookRejection('body_timeout')), timeoutMs);
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      total += value.byteLength;
      if (total > limit) throw new WebhookRejection('payload_too_large');
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks);
}
