import { logger } from '../logger';

/** Back to the page with a message the page shows; the details stay in the log. */
export function billingErrorRedirect(pageUrl: string, message: string): Response {
  logger.error('Billing request failed', { error: message });
  return Response.redirect(`${pageUrl}?error=${encodeURIComponent(message)}`, 303);
}
