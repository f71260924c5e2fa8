import { getPrisma } from '../../db/client';
import { errorMessage, logger } from '../../logger';

/**
 * Counts a rejected delivery in one row per hour and reason, so a flood of forged requests costs a
 * counter increment each and can never grow the table. Best effort: a counter outage is logged only.
 */
export async function recordWebhookRejection(reason: string): Promise<void> {
  try {
    await getPrisma().$executeRaw`
      INSERT INTO stripe_webhook_rejections (hour, reason, count)
      VALUES (date_trunc('hour', now()), ${reason}, 1)
      ON CONFLICT (hour, reason) DO UPDATE SET count = stripe_webhook_rejections.count + 1`;
  } catch (error) {
    logger.error('Rejection counter not recorded', { reason, error: errorMessage(error) });
  }
}
