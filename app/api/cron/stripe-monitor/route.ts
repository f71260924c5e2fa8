import { authorizeCronRequest } from '@/lib/billing/reconcile/authorize-cron-request';
import { CronUnauthorizedError } from '@/lib/billing/reconcile/reconcile-errors';
import { errorMessage, logger } from '@/lib/logger';
import { runStripeMonitor } from '@/lib/monitor/run-stripe-monitor';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
// Retention deletes in batches for at most 20 s; Stripe's endpoint list and alert posts have their own timeouts.
export const maxDuration = 60;

/** Vercel Cron: evaluates the alert conditions, posts each start and clear once, prunes old events. */
export async function GET(request: Request): Promise<Response> {
  try {
    authorizeCronRequest(request);
    return Response.json(await runStripeMonitor());
  } catch (error) {
    if (error instanceof CronUnauthorizedError)
      return Response.json({ error: 'Unauthorized: send Authorization: Bearer <CRON_SECRET>' }, { status: 401 });
    logger.error('Monitor run failed', { error: errorMessage(error) });
    return Response.json({ error: 'Monitor run failed; the next run evaluates again' }, { status: 500 });
  }
}
