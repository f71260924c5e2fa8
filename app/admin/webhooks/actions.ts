'use server';

import { redirect } from 'next/navigation';
import { requireAdmin } from '@/lib/auth/admin';
import { ReprocessError, reprocessWebhookEvent } from '@/lib/admin/reprocess-webhook-event';
import { logError, logInfo } from '@/lib/logger';

export async function reprocessEventAction(form: FormData): Promise<void> {
  const admin = await requireAdmin();
  const eventId = String(form.get('eventId') ?? '');
  let message: string;
  try {
    const result = await reprocessWebhookEvent(eventId);
    logInfo(`Webhook reprocessed: event_id=${eventId} status=${result.status} by=${admin.email}`);
    message = `Reprocessed: ${result.status}`;
  } catch (error) {
    logError(`Webhook reprocess failed: event_id=${eventId} error=${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    message = error instanceof ReprocessError ? error.message : 'Reprocessing failed again; see the last error below.';
  }
  redirect(`/admin/webhooks/${encodeURIComponent(eventId)}?message=${encodeURIComponent(message)}`);
}
