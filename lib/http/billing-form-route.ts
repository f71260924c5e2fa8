import { getCurrentUser, type SignedInUser } from '../auth/current-user';
import { BillingError } from '../billing/create-checkout-session';
import { errorMessage, logger } from '../logger';
import { baseUrlFrom } from './base-url';

type BillingFormRouteOptions = {
  /** Where sign-in sends the user back to. */
  signInNext: string;
  /** The page (path) that shows a failure; a function when it depends on the form. */
  errorPage: string | ((form: FormData | null) => string);
  /** What the page says when the failure is not a BillingError (the cause goes to the log only). */
  fallbackMessage: string;
};

type BillingWork = (context: { user: SignedInUser; baseUrl: string; form: FormData }) => Promise<string | Response>;

/**
 * The billing form routes (checkout, portal, plan changes): a signed-in user or off to sign-in; then
 * `work` returns where to go (a 303) or its own Response; a failure goes back to `errorPage` with a
 * message the page shows, and its cause to the log.
 */
export async function billingFormRoute(request: Request, options: BillingFormRouteOptions, work: BillingWork): Promise<Response> {
  const baseUrl = baseUrlFrom(request.headers);
  const user = await getCurrentUser();
  if (!user) return Response.redirect(`${baseUrl}/sign-in?next=${options.signInNext}`, 303);
  let form: FormData | null = null;
  try {
    form = await request.formData();
    const target = await work({ user, baseUrl, form });
    return typeof target === 'string' ? Response.redirect(target, 303) : target;
  } catch (error) {
    logger.error('Billing request failed', { path: new URL(request.url).pathname, error: errorMessage(error) });
    const message = error instanceof BillingError ? error.message : options.fallbackMessage;
    const page = typeof options.errorPage === 'string' ? options.errorPage : options.errorPage(form);
    return Response.redirect(`${baseUrl}${page}?error=${encodeURIComponent(message)}`, 303);
  }
}
