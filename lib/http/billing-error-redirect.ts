import { logError } from '../logger';

/** Back to the page with a message the page shows; the details stay in the log. */
export function billingErrorRedirect(pageUrl: string, message: string): Response {
  logError(`Billing request failed: ${message}`);
  return Response.redirect(`${pageUrl}?error=${encodeURIComponent(message)}`, 303);
}
