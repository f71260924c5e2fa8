'use server';

import { redirect } from 'next/navigation';
import { requireAdmin } from '@/lib/auth/admin';
import type { ProcessStatus } from '@/lib/billing/webhook/event-statuses';
import { ReprocessError, reprocessWebhookEvent } from '@/lib/billing/webhook/reprocess-webhook-event';
import { errorMessage, logger } from '@/lib/logger';

// What the administrator reads after the run, by the pipeline's outcome.
const OUTCOME_MESSAGES: Record<ProcessStatus, string> = {
  processed: 'applied, the event is now processed.',
  stale: 'processed as stale: a newer event had already set this state, so nothing changed.',
  ignored: 'ignored again: the event still does not apply (see its note).',
  already_processed: 'already processed meanwhile; nothing was applied twice.',
  failed: 'failed again; see the last error below.',
};

/** Reprocesses a failed event, or replays an ignored one, from its detail page. */
export async function reprocessEventAction(form: FormData): Promise<void> {
  const admin = await requireAdmin();
  const eventId = String(form.get('eventId') ?? '');
  const verb = form.get('intent') === 'replay' ? 'Replayed' : 'Reprocessed';
  let message: string;
  try {
    const result = await reprocessWebhookEvent(eventId);
    logger.info('Webhook reprocessed', { event_id: eventId, status: result.status, by: admin.id });
    message = `${verb}: ${OUTCOME_MESSAGES[result.status] ?? `${result.status}.`}`;
  } catch (error) {
    logger.error('Webhook reprocess failed', { event_id: eventId, error: errorMessage(error) });
    message = error instanceof ReprocessError ? error.message : `${verb}: failed again; see the last error below.`;
  }
  redirect(`/admin/webhooks/${encodeURIComponent(eventId)}?message=${encodeURIComponent(message)}`);
}
