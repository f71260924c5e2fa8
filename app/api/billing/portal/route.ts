import { getCurrentUser } from '@/lib/auth/current-user';
import { BillingError } from '@/lib/billing/create-checkout-session';
import { createPortalSession } from '@/lib/billing/create-portal-session';
import { getStripe } from '@/lib/billing/stripe-client';
import { baseUrlFrom } from '@/lib/http/base-url';
import { billingErrorRedirect } from '@/lib/http/billing-error-redirect';

export const runtime = 'nodejs';

/** "Manage billing" -> Stripe's billing portal (or the simulator's) with a 303 redirect. */
export async function POST(request: Request): Promise<Response> {
  const baseUrl = baseUrlFrom(request.headers);
  const user = await getCurrentUser();
  if (!user) return Response.redirect(`${baseUrl}/sign-in?next=/dashboard`, 303);
  try {
    return Response.redirect(await createPortalSession({ stripe: getStripe(), user, baseUrl }), 303);
  } catch (error) {
    return billingErrorRedirect(`${baseUrl}/dashboard`, error instanceof BillingError ? error.message : 'The billing portal is unavailable right now.');
  }
}
