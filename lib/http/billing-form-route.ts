import type { z } from 'zod';
import { getCurrentUser, type SignedInUser } from '../auth/current-user';
import { env } from '../env';
import { errorMessage, logger } from '../logger';
import { baseUrlFrom } from './base-url';
import { BillingError } from './billing-error';
import { checkSameOrigin } from './check-same-origin';
import { BodyLimitError, readBoundedBody } from './read-bounded-body';

/** The app's forms post a few short fields; anything larger is not one of them. */
export const MAX_FORM_BODY_BYTES = 16 * 1024;

type BillingFormRouteOptions<Fields> = {
  /** Where sign-in sends the user back to. */
  signInNext: string;
  /** The page (path) that shows a failure; a function when it depends on the form. */
  errorPage: string | ((form: FormData | null) => string);
  /** What the page says when the failure is not a BillingError (the cause goes to the log only). */
  fallbackMessage: string;
  /** The form's fields (zod), and what the page says when they do not parse. */
  fields: z.ZodType<Fields>;
  invalidMessage: string;
};

type BillingWork<Fields> = (context: { user: SignedInUser; baseUrl: string; fields: Fields }) => Promise<string | Response>;

/** The form in the body, read within MAX_FORM_BODY_BYTES (413) and the body deadline (408). */
async function readForm(request: Request): Promise<FormData> {
  let body: Buffer;
  try {
    body = await readBoundedBody(request, MAX_FORM_BODY_BYTES, env.WEBHOOK_BODY_TIMEOUT_MS);
  } catch (error) {
    if (error instanceof BodyLimitError)
      throw new BillingError(
        error.kind === 'too_large' ? 'Form too large.' : 'Form not received in time.',
        error.kind === 'too_large' ? 413 : 408,
      );
    throw error;
  }
  try {
    return await new Response(new Uint8Array(body), { headers: { 'content-type': request.headers.get('content-type') ?? '' } }).formData();
  } catch {
    throw new BillingError('Expected a form.', 400);
  }
}

/** A failure as its status and message: a page with the message for a browser's form, JSON for anyone else. */
function failureResponse(request: Request, error: BillingError, page: string | null): Response {
  if (page && (request.headers.get('accept') ?? '').includes('text/html')) {
    return Response.redirect(`${page}?error=${encodeURIComponent(error.message)}`, 303);
  }
  return Response.json({ error: error.message }, { status: error.status });
}

/**
 * The one entry of every state-changing billing form route (checkout, portal, plan changes, the
 * simulator's): the app's own origin (403), a bounded form (413), a signed-in user or off to sign-in,
 * fields parsed with zod (400); then `work` returns where to go (a 303) or its own Response. A
 * failure answers its BillingError's status (JSON), or, to a browser, goes back to `errorPage` with
 * the message; an unexpected cause goes to the log only (500).
 */
export async function billingFormRoute<Fields>(
  request: Request,
  options: BillingFormRouteOptions<Fields>,
  work: BillingWork<Fields>,
): Promise<Response> {
  let baseUrl: string;
  let form: FormData;
  try {
    baseUrl = baseUrlFrom(request.headers);
    checkSameOrigin(request.headers, baseUrl);
    form = await readForm(request);
  } catch (error) {
    if (error instanceof BillingError) return failureResponse(request, error, null);
    throw error;
  }
  const user = await getCurrentUser();
  if (!user) return Response.redirect(`${baseUrl}/sign-in?next=${options.signInNext}`, 303);
  try {
    const parsed = options.fields.safeParse(Object.fromEntries([...form.entries()].filter(([, value]) => typeof value === 'string')));
    if (!parsed.success) throw new BillingError(options.invalidMessage, 400);
    const target = await work({ user, baseUrl, fields: parsed.data });
    return typeof target === 'string' ? Response.redirect(target, 303) : target;
  } catch (error) {
    logger.error('Billing request failed', { path: new URL(request.url).pathname, error: errorMessage(error) });
    const failure = error instanceof BillingError ? error : new BillingError(options.fallbackMessage, 500);
    const page = typeof options.errorPage === 'string' ? options.errorPage : options.errorPage(form);
    return failureResponse(request, failure, `${baseUrl}${page}`);
  }
}
