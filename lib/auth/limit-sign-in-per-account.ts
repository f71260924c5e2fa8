import { Prisma } from '../db/generated/client';
import { query } from '../db/sql';

/** Password attempts per account, whatever address they come from. */
export const SIGN_IN_ATTEMPTS_PER_ACCOUNT = 10;
export const SIGN_IN_ACCOUNT_WINDOW_SECONDS = 15 * 60;

/**
 * Counts one sign-in attempt for `email` in `rate_limits` (one statement, so instances agree) and
 * returns the seconds to wait when the account is over its limit, else null. For these rows
 * `last_request` holds the start of the window. Holds even when a client can pick its address.
 */
export async function limitSignInPerAccount(email: string, now = Date.now()): Promise<number | null> {
  const key = `account:${email.trim().toLowerCase()}|/sign-in/email`;
  const windowStart = now - SIGN_IN_ACCOUNT_WINDOW_SECONDS * 1000;
  const [row] = await query<{ count: number; window_start: string }>(Prisma.sql`
    INSERT INTO rate_limits (key, count, last_request) VALUES (${key}, 1, ${now})
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limits.last_request <= ${windowStart} THEN 1 ELSE rate_limits.count + 1 END,
      last_request = CASE WHEN rate_limits.last_request <= ${windowStart} THEN ${now} ELSE rate_limits.last_request END
    RETURNING count, last_request::text AS window_start`);
  if (!row || row.count <= SIGN_IN_ATTEMPTS_PER_ACCOUNT) return null;
  return Math.max(1, Math.ceil((Number(row.window_start) + SIGN_IN_ACCOUNT_WINDOW_SECONDS * 1000 - now) / 1000));
}
