import { createHash, timingSafeEqual } from 'node:crypto';
import { env } from '../env';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The scraper's check: `Authorization: Bearer $METRICS_TOKEN`, compared in constant time. Answers the
 * status to refuse with (404 when no token is configured, so the route does not exist; 401 otherwise),
 * or null to let the request in.
 */
export function authorizeMetricsRequest(request: Request, token: string | undefined = env.METRICS_TOKEN): 401 | 404 | null {
  if (!token) return 404;
  // Digests of equal length, so the comparison's time says nothing about the token's length.
  // Stryker disable next-line StringLiteral: any stand-in for a missing header differs from "Bearer <token>"
  return timingSafeEqual(digest(request.headers.get('authorization') ?? ''), digest(`Bearer ${token}`)) ? null : 401;
}
