import { notFound } from 'next/navigation';
import { dashboardUrlAfterChange, prepareSubscriptionChange, subscriptionChangeForm } from '@/lib/billing/change-subscription';
import { deliverInOrder, subscriptionChangeEvents } from '@/lib/dev/simulate-subscription-change';
import { stripeSimulatorEnabled } from '@/lib/env';
import { BillingError } from '@/lib/http/billing-error';
import { billingFormRoute } from '@/lib/http/billing-form-route';

export const runtime = 'nodejs';

/**
 * Test mode without a Stripe key: the subscription change the app asked for (forwarded here with its
 * form), answered as Stripe would, by signed `customer.subscription.updated` (and invoice) events
 * posted to the app's own webhook before the dashboard is shown.
 */
export async function POST(request: Request): Promise<Response> {
  if (!stripeSimulatorEnabled()) notFound();
  return billingFormRoute(
    request,
    {
      signInNext: '/dashboard',
      errorPage: '/dashboard',
      fallbackMessage: 'The simulator could not make this change.',
      fields: subscriptionChangeForm,
      invalidMessage: 'Unknown subscription change.',
    },
    async ({ user, baseUrl, fields: change }) => {
      const prepared = await prepareSubscriptionChange(user, change);
      const accepted = await deliverInOrder(baseUrl, subscriptionChangeEvents(prepared.subscription, prepared));
      if (!accepted) throw new BillingError('The change was not confirmed yet; try again.', 502);
      return dashboardUrlAfterChange(baseUrl, change);
    },
  );
}
