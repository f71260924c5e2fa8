import { getCurrentUser } from '@/lib/auth/current-user';
import { BillingError, createCheckoutSession } from '@/lib/billing/create-checkout-session';
import { getStripe } from '@/lib/billing/stripe-client';
import { baseUrlFrom } from '@/lib/http/base-url';
import { billingErrorRedirect } from '@/lib/http/billing-error-redirect';

export const runtime = 'nodejs';

/** Pricing form -> Stripe Checkout (or the local simulator) with a 303 redirect. */
export async function POST(request: Request): Promise<Response> {
  const baseUrl = baseUrlFrom(request.headers);
  const user = await getCurrentUser();
  if (!user) return Response.redirect(`${baseUrl}/sign-in?next=/pricing`, 303);
  try {
    const form = await request.formData();
    const priceId = String(form.get('priceId') ?? '');
    return Response.redirect(await createCheckoutSession({ stripe: getStripe(), user, priceId, baseUrl }), 303);
  } catch (error) {
    return billingErrorRedirect(`${baseUrl}/pricing`, error instanceof BillingError ? error.message : 'Checkout is unavailable right now. Please try again.');
  }
}
