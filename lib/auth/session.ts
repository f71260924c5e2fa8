import { getIronSession, type IronSession } from 'iron-session';
import { cookies } from 'next/headers';
import { env, sessionSecret } from '../env';

export type SessionData = { userId?: string };

export class SessionConfigurationError extends Error {
  constructor() {
    super('SESSION_SECRET is not set (at least 32 characters); sign-in is unavailable.');
    this.name = 'SessionConfigurationError';
  }
}

/** The signed, encrypted, httpOnly session cookie (iron-session). */
export async function getSession(): Promise<IronSession<SessionData>> {
  // Read the cookies first: it marks every page that asks for the user as per-request.
  const cookieStore = await cookies();
  const password = sessionSecret();
  if (!password) throw new SessionConfigurationError();
  return getIronSession<SessionData>(cookieStore, {
    password,
    cookieName: 'acme_session',
    ttl: 60 * 60 * 24 * 14,
    cookieOptions: {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      // Secure everywhere but plain-http local servers (dev, tests).
      secure: env.NODE_ENV === 'production' && !(env.APP_URL ?? '').startsWith('http://'),
    },
  });
}
