import { BillingError } from './billing-error';

function originOf(value: string | null): string | null {
  if (!value || value === 'null') return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/**
 * Refuses (403) a state-changing request that another site could have sent with the user's cookies:
 * its `Origin` (or, without one, its `Referer`) must be the app's own origin, as Next.js requires of
 * server actions. A request carrying neither is refused too: every browser sends Origin on a POST.
 */
export function checkSameOrigin(headers: Headers, appOrigin: string): void {
  const origin = originOf(headers.get('origin')) ?? (headers.has('origin') ? null : originOf(headers.get('referer')));
  if (origin !== new URL(appOrigin).origin) throw new BillingError('Cross-site request refused.', 403);
}
