import { getCurrentUser } from '@/lib/auth/current-user';
import { applySubscriptionChange, dashboardUrlAfterChange, parseSubscriptionChange, prepareSubscriptionChange, type SubscriptionChange } from '@/lib/billing/change-subscription';
import { BillingError } from '@/lib/billing/create-checkout-session';
import { getStripe } from '@/lib/billing/stripe-client';
import { stripeSimulatorEnabled } from '@/lib/env';
import { baseUrlFrom } from '@/lib/http/base-url';
import { billingErrorRedirect } from '@/lib/http/billing-error-redirect';

export const runtime = 'nodejs';

/**
 * Plan switch, cancel at period end, resume: the existing subscription is updated at Stripe, and the
 * dashboard shows the result once the webhook has it. Without a key, the same form goes on (307 keeps
 * the method and body) to the test-mode simulator, which sends the webhook events Stripe would.
 */
export async function POST(request: Request): Promise<Response> {
  const baseUrl = baseUrlFrom(request.headers);
  const user = await getCurrentUser();
  if (!user) return Response.redirect(`${baseUrl}/sign-in?next=/dashboard`, 303);
  let change: SubscriptionChange | null = null;
  try {
    change = parseSubscriptionChange(await request.formData());
    const prepared = await prepareSubscriptionChange(user, change);
    const stripe = getStripe();
    if (!stripe) {
      if (!stripeSimulatorEnabled()) throw new BillingError('Billing is not configured.', 503);
      return Response.redirect(`${baseUrl}/simulator/subscription`, 307);
    }
    await applySubscriptionChange(stripe, prepared);
    return Response.redirect(dashboardUrlAfterChange(baseUrl, change), 303);
  } catch (error) {
    const page = change?.kind === 'switch_price' ? `${baseUrl}/pricing` : `${baseUrl}/dashboard`;
    return billingErrorRedirect(page, error instanceof BillingError ? error.message : 'Stripe could not change your subscription right now. Please try again.');
  }
}
