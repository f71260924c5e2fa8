import { checkoutForm, createCheckoutSession } from '@/lib/billing/create-checkout-session';
import { getStripe } from '@/lib/billing/stripe-client';
import { billingFormRoute } from '@/lib/http/billing-form-route';

export const runtime = 'nodejs';

/** Pricing form -> Stripe Checkout (or the local simulator) with a 303 redirect. */
export async function POST(request: Request): Promise<Response> {
  return billingFormRoute(
    request,
    {
      signInNext: '/pricing',
      errorPage: '/pricing',
      fallbackMessage: 'Checkout is unavailable right now. Please try again.',
      fields: checkoutForm,
      invalidMessage: 'Unknown price.',
    },
    ({ user, baseUrl, fields }) => createCheckoutSession({ stripe: getStripe(), user, ...fields, baseUrl }),
  );
}
