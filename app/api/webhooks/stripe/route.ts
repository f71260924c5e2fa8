// One module list, which instrumentation.ts also loads at start.
import {
  processStripeEvent,
  readWebhookBody,
  verifyStripeSignature,
  webhookErrorResponse,
} from '@/lib/billing/webhook/webhook-route-modules';
import { logger } from '@/lib/logger';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Stripe's webhook endpoint: raw body -> signature -> the pipeline (record + apply, cache cleared) -> answer. */
export async function POST(request: Request): Promise<Response> {
  const startedAt = performance.now();
  try {
    const rawBody = await readWebhookBody(request);
    const event = verifyStripeSignature({ rawBody, header: request.headers.get('stripe-signature') });
    const { status, attempt } = await processStripeEvent({ event, payload: rawBody.toString('utf8') });
    logger.info('Webhook processed', {
      event_id: event.id,
      type: event.type,
      status,
      ms: Math.round(performance.now() - startedAt),
      attempt,
    });
    return Response.json({ status, event_id: event.id });
  } catch (error) {
    return webhookErrorResponse(error);
  }
}
