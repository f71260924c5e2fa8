import {
  applySubscriptionChange,
  dashboardUrlAfterChange,
  prepareSubscriptionChange,
  subscriptionChangeForm,
} from '@/lib/billing/change-subscription';
import { getStripe } from '@/lib/billing/stripe-client';
import { stripeSimulatorEnabled } from '@/lib/env';
import { BillingError } from '@/lib/http/billing-error';
import { billingFormRoute } from '@/lib/http/billing-form-route';

export const runtime = 'nodejs';

/**
 * Plan switch, cancel at period end, resume: the existing subscription is updated at Stripe, and the
 * dashboard shows the result once the webhook has it. Without a key, the same form goes on (307 keeps
 * the method and body) to the test-mode simulator, which sends the webhook events Stripe would.
 */
export async function POST(request: Request): Promise<Response> {
  return billingFormRoute(
    request,
    {
      signInNext: '/dashboard',
      errorPage: (form) => (form?.get('change') === 'switch_price' ? '/pricing' : '/dashboard'),
      fallbackMessage: 'Stripe could not change your subscription right now. Please try again.',
      fields: subscriptionChangeForm,
      invalidMessage: 'Unknown subscription change.',
    },
    async ({ user, baseUrl, fields: change }) => {
      const prepared = await prepareSubscriptionChange(user, change);
      const stripe = getStripe();
      if (!stripe) {
        if (!stripeSimulatorEnabled()) throw new BillingError('Billing is not configured.', 503);
        return Response.redirect(`${baseUrl}/simulator/subscription`, 307);
      }
      await applySubscriptionChange(stripe, prepared);
      return dashboardUrlAfterChange(baseUrl, change);
    },
  );
}
