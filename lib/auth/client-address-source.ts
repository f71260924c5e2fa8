import { env, type Env } from '../env';

/** What /api/health and the log at start say in production when no trusted party sets client addresses. */
export const CLIENT_ADDRESS_WARNING =
  'No trusted source of client addresses: a client reaching this server directly chooses its own X-Forwarded-For, so per-address rate limits do not hold (sign-in is still limited per account). Put it behind a proxy and list it in TRUSTED_PROXIES, or deploy on Vercel.';

export type ClientAddressSource = {
  /** Better Auth's `advanced.ipAddress`: the headers it reads, and the proxies it walks past. */
  ipAddress: { ipAddressHeaders: string[]; trustedProxies?: string[] };
  /** Whether a trusted party sets the address (false: a client facing `next start` picks its own). */
  trusted: boolean;
};

/**
 * Where the client address for rate limits comes from: on Vercel, the platform's own header (it
 * overwrites whatever the client sent); behind the proxies listed in TRUSTED_PROXIES, the
 * X-Forwarded-For chain walked right to left past them; otherwise the single X-Forwarded-For value,
 * which `next start` fills from the socket only when the client sent none (untrusted: said at start
 * and in /api/health; sign-in is then still limited per account).
 */
export function clientAddressSource(source: Pick<Env, 'VERCEL' | 'TRUSTED_PROXIES'> = env): ClientAddressSource {
  if (source.VERCEL) return { ipAddress: { ipAddressHeaders: ['x-vercel-forwarded-for', 'x-real-ip'] }, trusted: true };
  const proxies = (source.TRUSTED_PROXIES ?? '')
    .split(',')
    .map((proxy) => proxy.trim())
    .filter(Boolean);
  if (proxies.length > 0) return { ipAddress: { ipAddressHeaders: ['x-forwarded-for'], trustedProxies: proxies }, trusted: true };
  return { ipAddress: { ipAddressHeaders: ['x-forwarded-for'] }, trusted: false };
}
