import { createHash, timingSafeEqual } from 'node:crypto';
import { env } from '../../env';
import { CronUnauthorizedError } from './reconcile-errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Vercel Cron's check: `Authorization: Bearer $CRON_SECRET`, compared in constant time. With no
 * CRON_SECRET configured nobody is let in.
 */
export function authorizeCronRequest(request: Request, secret: string | undefined = env.CRON_SECRET): void {
  if (!secret) throw new CronUnauthorizedError();
  const header = request.headers.get('authorization');
  // Digests of equal length, so the comparison's time says nothing about the secret's length.
  if (header === null || !timingSafeEqual(digest(header), digest(`Bearer ${secret}`))) throw new CronUnauthorizedError();
}
