import { notFound } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { dashboardUrlAfterChange, parseSubscriptionChange, prepareSubscriptionChange } from '@/lib/billing/change-subscription';
import { BillingError } from '@/lib/billing/create-checkout-session';
import { deliverInOrder, subscriptionChangeEvents } from '@/lib/dev/simulate-subscription-change';
import { stripeSimulatorEnabled } from '@/lib/env';
import { baseUrlFrom } from '@/lib/http/base-url';
import { billingErrorRedirect } from '@/lib/http/billing-error-redirect';

export const runtime = 'nodejs';

/**
 * Test mode without a Stripe key: the subscription change the app asked for (forwarded here with its
 * form), answered as Stripe would, by signed `customer.subscription.updated` (and invoice) events
 * posted to the app's own webhook before the dashboard is shown.
 */
export async function POST(request: Request): Promise<Response> {
  if (!stripeSimulatorEnabled()) notFound();
  const baseUrl = baseUrlFrom(request.headers);
  const user = await getCurrentUser();
  if (!user) return Response.redirect(`${baseUrl}/sign-in?next=/dashboard`, 303);
  try {
    const change = parseSubscriptionChange(await request.formData());
    const { subscription } = await prepareSubscriptionChange(user, change);
    const accepted = await deliverInOrder(baseUrl, subscriptionChangeEvents(subscription, change));
    if (!accepted) throw new BillingError('The change was not confirmed yet; try again.', 502);
    return Response.redirect(dashboardUrlAfterChange(baseUrl, change), 303);
  } catch (error) {
    return billingErrorRedirect(`${baseUrl}/dashboard`, error instanceof BillingError ? error.message : 'The simulator could not make this change.');
  }
}
