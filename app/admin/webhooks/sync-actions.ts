'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { requireAdmin } from '@/lib/auth/admin';
import { LinkSubscriptionError, linkSubscriptionToUser } from '@/lib/billing/sync/link-subscription-to-user';
import { SyncConfigurationError } from '@/lib/billing/sync/sync-errors';
import { syncStripeSubscriptions } from '@/lib/billing/sync/sync-stripe-subscriptions';
import { errorMessage, logger } from '@/lib/logger';

const back = (message: string) => redirect(`/admin/webhooks?sync_message=${encodeURIComponent(message)}#sync`);

/** "Sync now" (or "Dry run") on the admin page: the same run as the script and the cron route. */
export async function syncNowAction(form: FormData): Promise<void> {
  const admin = await requireAdmin();
  const dryRun = form.get('intent') === 'dry-run';
  let message: string;
  try {
    const result = await syncStripeSubscriptions({ dryRun });
    logger.info('Sync run by an administrator', { by: admin.id, dry_run: dryRun });
    message =
      result.warning ??
      `Sync${dryRun ? ' (dry run, nothing applied)' : ''}: fetched ${result.fetched}, created ${result.created}, updated ${result.updated}, unchanged ${result.unchanged}, drift ${result.drift}, unlinked ${result.unlinked}.`;
  } catch (error) {
    logger.error('Sync from the admin page failed', { error: errorMessage(error) });
    message =
      error instanceof SyncConfigurationError ? error.message : 'Sync stopped before it finished; the next run continues where it stopped.';
  }
  back(message);
}

const linkForm = z.object({
  subscriptionId: z
    .string()
    .trim()
    .regex(/^sub_\w+$/)
    .max(255),
  user: z.string().trim().min(1).max(320),
});

/** Links an unlinked subscription to a user an administrator names (id or e-mail address). */
export async function linkSubscriptionAction(form: FormData): Promise<void> {
  const admin = await requireAdmin();
  const parsed = linkForm.safeParse({ subscriptionId: form.get('subscriptionId'), user: form.get('user') });
  if (!parsed.success) return back('Link: give a subscription id (sub_…) and a user id or e-mail address.');
  let message: string;
  try {
    const { userId } = await linkSubscriptionToUser({ ...parsed.data, actorId: admin.id });
    logger.info('Subscription linked by an administrator', { subscription_id: parsed.data.subscriptionId, user_id: userId, by: admin.id });
    message = `Linked ${parsed.data.subscriptionId} to user ${userId}.`;
  } catch (error) {
    if (!(error instanceof LinkSubscriptionError)) logger.error('Subscription link failed', { error: errorMessage(error) });
    message = error instanceof LinkSubscriptionError ? error.message : 'Link failed; nothing was changed.';
  }
  back(message);
}
