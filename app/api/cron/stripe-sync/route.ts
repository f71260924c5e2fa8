import { authorizeCronRequest } from '@/lib/billing/reconcile/authorize-cron-request';
import { syncErrorResponse } from '@/lib/billing/sync/sync-errors';
import { syncStripeSubscriptions } from '@/lib/billing/sync/sync-stripe-subscriptions';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
// A large account takes a while; a run cut short keeps its cursor and the next one continues.
export const maxDuration = 300;

/** Vercel Cron: reads every Stripe subscription, heals drift; answers the counts. */
export async function GET(request: Request): Promise<Response> {
  try {
    authorizeCronRequest(request);
    return Response.json(await syncStripeSubscriptions());
  } catch (error) {
    return syncErrorResponse(error);
  }
}
