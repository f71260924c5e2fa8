'use server';

import { redirect } from 'next/navigation';
import { requireAdmin } from '@/lib/auth/admin';
import { ReprocessError, reprocessWebhookEvent } from '@/lib/billing/webhook/reprocess-webhook-event';
import { errorMessage, logger } from '@/lib/logger';

export async function reprocessEventAction(form: FormData): Promise<void> {
  const admin = await requireAdmin();
  const eventId = String(form.get('eventId') ?? '');
  let message: string;
  try {
    const result = await reprocessWebhookEvent(eventId);
    logger.info('Webhook reprocessed', { event_id: eventId, status: result.status, by: admin.id });
    message = `Reprocessed: ${result.status}`;
  } catch (error) {
    logger.error('Webhook reprocess failed', { event_id: eventId, error: errorMessage(error) });
    message = error instanceof ReprocessError ? error.message : 'Reprocessing failed again; see the last error below.';
  }
  redirect(`/admin/webhooks/${encodeURIComponent(eventId)}?message=${encodeURIComponent(message)}`);
}
