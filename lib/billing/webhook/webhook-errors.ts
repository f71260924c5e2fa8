import { CacheInvalidationError } from '../../cache/feature-cache';
import { errorMessage, logger } from '../../logger';
import { recordWebhookRejection } from './record-webhook-rejection';

export type RejectionReason =
  'missing_signature' | 'invalid_signature' | 'timestamp_out_of_tolerance' | 'invalid_payload' | 'payload_too_large' | 'body_timeout';

// `log` is what the operator reads: only a signature problem is logged as a failed verification.
const REJECTIONS: Record<RejectionReason, { status: number; message: string; log: string }> = {
  missing_signature: { status: 400, message: 'Missing stripe-signature header', log: 'Signature verification failed' },
  invalid_signature: { status: 400, message: 'No signature matches the configured webhook secret', log: 'Signature verification failed' },
  timestamp_out_of_tolerance: {
    status: 400,
    message: 'Signature timestamp is outside the tolerance window',
    log: 'Signature verification failed',
  },
  invalid_payload: { status: 400, message: 'Body is not a valid Stripe event', log: 'Webhook payload is not a Stripe event' },
  payload_too_large: { status: 413, message: 'Body exceeds the 1 MiB limit', log: 'Webhook body too large' },
  body_timeout: { status: 408, message: 'Body was not received in time', log: 'Webhook body not received in time' },
};

/** A delivery refused before processing: a retry with the same request cannot succeed (4xx). */
export class WebhookRejection extends Error {
  constructor(readonly reason: RejectionReason) {
    super(REJECTIONS[reason].message);
    this.name = 'WebhookRejection';
  }
}

/** Processing failed after a valid delivery; the transaction rolled back and Stripe's retry runs it again. */
export class WebhookProcessingError extends Error {
  constructor(
    readonly eventId: string,
    cause: unknown,
  ) {
    super(`Processing of ${eventId} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'WebhookProcessingError';
  }
}

export class WebhookConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookConfigurationError';
  }
}

function json(status: number, error: string): Response {
  return Response.json({ error }, { status });
}

/**
 * The one place that maps webhook errors to HTTP: 4xx when a retry cannot help, 5xx when it can.
 * Bodies never carry secrets, signatures or the payload.
 */
export async function webhookErrorResponse(error: unknown): Promise<Response> {
  if (error instanceof WebhookRejection) {
    const { status, message, log } = REJECTIONS[error.reason];
    logger.error(log, { reason: error.reason });
    await recordWebhookRejection(error.reason);
    return json(status, message);
  }
  if (error instanceof CacheInvalidationError) {
    logger.error('Webhook cache invalidation failed after commit', { error: error.message });
    return json(500, 'Feature cache invalidation failed; the event is stored and a retry clears the cache');
  }
  if (error instanceof WebhookProcessingError) {
    logger.error('Webhook failed', { event_id: error.eventId, error: error.message });
    return json(500, 'Webhook processing failed; a retry will process it again');
  }
  if (error instanceof WebhookConfigurationError) {
    logger.error('Webhook misconfigured', { error: error.message });
    return json(500, error.message);
  }
  logger.error('Webhook failed unexpectedly', { error: errorMessage(error) });
  return json(500, 'Webhook processing failed; a retry will process it again');
}
