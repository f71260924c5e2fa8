import { env } from '../env';

/** The app's public origin: APP_URL when set, else the request's own host. */
export function baseUrlFrom(headers: Headers): string {
  if (env.APP_URL) return env.APP_URL.replace(/\/$/, '');
  const host = headers.get('x-forwarded-host') ?? headers.get('host') ?? 'localhost:3000';
  const protocol = headers.get('x-forwarded-proto') ?? (host.startsWith('localhost') || host.startsWith('127.') ? 'http' : 'https');
  return `${protocol}://${host}`;
}
