import { z } from 'zod';
import { createPortalSession } from '@/lib/billing/create-portal-session';
import { getStripe } from '@/lib/billing/stripe-client';
import { billingFormRoute } from '@/lib/http/billing-form-route';

export const runtime = 'nodejs';

/** "Manage billing" -> Stripe's billing portal (or the simulator's) with a 303 redirect. */
export async function POST(request: Request): Promise<Response> {
  return billingFormRoute(
    request,
    {
      signInNext: '/dashboard',
      errorPage: '/dashboard',
      fallbackMessage: 'The billing portal is unavailable right now.',
      fields: z.object({}),
      invalidMessage: 'Unexpected form.',
    },
    ({ user, baseUrl }) => createPortalSession({ stripe: getStripe(), user, baseUrl }),
  );
}
