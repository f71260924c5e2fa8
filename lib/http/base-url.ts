import { appUrl, developmentDefaultsApply } from '../env';
import { BillingError } from './billing-error';

/**
 * The app's public origin, for every URL the server builds for itself or for Stripe: APP_URL. Only
 * under `next dev` and the test runner may it come from the request's own Host; a production build
 * without APP_URL refuses (503) rather than send signed events or customers where a header says.
 */
export function baseUrlFrom(headers: Headers, development = developmentDefaultsApply()): string {
  const configured = appUrl();
  if (configured) return configured;
  if (!development) throw new BillingError("This deployment has no APP_URL: set it to the app's public URL (https://your.app).", 503);
  const host = headers.get('x-forwarded-host') ?? headers.get('host') ?? 'localhost:3000';
  const protocol = headers.get('x-forwarded-proto') ?? (host.startsWith('localhost') || host.startsWith('127.') ? 'http' : 'https');
  return `${protocol}://${host}`;
}
