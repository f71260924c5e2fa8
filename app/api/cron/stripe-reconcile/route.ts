import { authorizeCronRequest } from '@/lib/billing/reconcile/authorize-cron-request';
import { reconcileErrorResponse } from '@/lib/billing/reconcile/reconcile-errors';
import { reconcileStripeEvents } from '@/lib/billing/reconcile/reconcile-stripe-events';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
// A backlog can take a while; an interrupted run keeps its cursor and the next one continues.
export const maxDuration = 300;

/** Vercel Cron: applies the Stripe events the webhook missed; answers the counts. */
export async function GET(request: Request): Promise<Response> {
  try {
    authorizeCronRequest(request);
    return Response.json(await reconcileStripeEvents());
  } catch (error) {
    return reconcileErrorResponse(error);
  }
}
