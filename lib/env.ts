import { z } from 'zod';

// Public, test-mode-only secret for `npm run dev` and the offline trigger when none is configured.
// Production never falls back to it (see webhookSecrets below).
export const DEVELOPMENT_WEBHOOK_SECRET = 'whsec_local_development_only';
const DEVELOPMENT_SESSION_SECRET = 'local-development-only-session-secret-0123456789';

const flag = z.enum(['true', 'false']).optional().catch(undefined);

const optionalString = z.string().trim().min(1).optional().catch(undefined);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: optionalString,
  // Direct (unpooled) connection for migrations, read by prisma.config.ts under any of these names
  // (DIRECT_URL, then Neon's and Supabase's Vercel integration names); the app uses DATABASE_URL only.
  DIRECT_URL: optionalString,
  DATABASE_URL_UNPOOLED: optionalString,
  POSTGRES_URL_NON_POOLING: optionalString,
  // Connections per instance. Default 10 for a long-running server; 3 on Vercel, where every function
  // instance has its own pool and the pooler, not the app, multiplexes (see databasePoolSize).
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).optional(),
  VERCEL: optionalString,
  STRIPE_SECRET_KEY: z
    .string()
    .trim()
    .regex(/^(sk|rk)_(test|live)_/, 'STRIPE_SECRET_KEY must start with sk_test_, sk_live_, rk_test_ or rk_live_')
    .optional(),
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).default(300),
  WEBHOOK_BODY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  KV_REST_API_URL: z.url().optional(),
  KV_REST_API_TOKEN: optionalString,
  // The same Upstash Redis database under the names its own integration uses.
  UPSTASH_REDIS_REST_URL: z.url().optional(),
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  KV_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(1_000),
  FEATURE_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(300),
  // Days a past_due subscription keeps Pro, counted from when it became past_due; unset: as long as
  // Stripe retries the card (the status stays past_due).
  PAST_DUE_GRACE_DAYS: z.coerce.number().int().min(0).optional(),
  APP_URL: z.url().optional().catch(undefined),
  BETTER_AUTH_SECRET: z.string().min(32, 'BETTER_AUTH_SECRET must be at least 32 characters').optional(),
  BETTER_AUTH_URL: z.url().optional().catch(undefined),
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  STRIPE_SIMULATOR: flag,
  // Another base URL for Stripe's API (stripe-mock, a local test double); unset: api.stripe.com.
  STRIPE_API_URL: z
    .url({ protocol: /^https?$/ })
    .refine(
      (value) => /^[a-z]+:\/\/[^/?#]+\/?$/i.test(value),
      'STRIPE_API_URL must be a base URL (scheme, host, optional port), without a path',
    )
    .optional(),
  // Bearer token Vercel Cron sends to /api/cron/*; unset: those routes answer 401.
  CRON_SECRET: optionalString,
  // Monitoring: the Prometheus scrape token (unset: /api/metrics answers 404), where alerts are
  // posted ({"text": ...}), their thresholds, and how long events are kept.
  METRICS_TOKEN: optionalString,
  ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  ALERT_SUCCESS_RATE_MIN: z.coerce.number().min(0).max(1).default(0.95),
  ALERT_MIN_DELIVERIES: z.coerce.number().int().min(1).default(20),
  ALERT_SIGNATURE_FAILURES_PER_HOUR: z.coerce.number().int().min(0).default(10),
  ALERT_DUPLICATE_SHARE_MAX: z.coerce.number().min(0).max(1).default(0.2),
  ALERT_RECONCILE_CURSOR_DAYS: z.coerce.number().min(1).max(30).default(25),
  ALERT_NO_DELIVERY_HOURS: z.coerce.number().min(1).default(24),
  // Stripe redelivers for 3 days and keeps events 30: an event younger than that may still come back.
  STRIPE_EVENT_RETENTION_DAYS: z.coerce.number().int().min(30).default(90),
  // Addresses or CIDRs of the reverse proxies in front of a self-hosted server, comma-separated: the
  // client address is read from X-Forwarded-For through them. Unset on Vercel (the platform's header counts).
  TRUSTED_PROXIES: optionalString,
  // Mail: an HTTP API taking {from, to, subject, text} as JSON with a Bearer key (Resend's POST /emails);
  // unset: development logs each e-mail, a production build sends none and warns (see lib/email/send-email.ts).
  EMAIL_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  EMAIL_API_KEY: optionalString,
  EMAIL_FROM: optionalString,
});

export type Env = z.infer<typeof envSchema>;

function parseEnv(source: NodeJS.ProcessEnv): Env {
  // `KEY=` in a .env file means unset, not an invalid empty value.
  const result = envSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, value]) => value !== '')));
  if (!result.success) {
    // Name the variables, never their values: some are secrets.
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  return result.data;
}

/** The validated environment; the one place that reads process.env. */
export const env = parseEnv(process.env);

const PRICE_VARIABLE = /^STRIPE_PRICE_([A-Z0-9_]+)$/;
const priceId = z
  .string()
  .trim()
  .regex(/^price_[A-Za-z0-9_]+$/, 'must be a Stripe price id (price_...)');

/**
 * Optional `STRIPE_PRICE_<LOOKUP_KEY>` ids, by lookup key (`STRIPE_PRICE_PRO_MONTHLY` -> `pro_monthly`),
 * for an account whose prices predate lookup keys. No defaults: unset, only lookup keys sell a plan.
 */
export function parseStripePriceIds(source: Record<string, string | undefined>): Record<string, string> {
  const ids: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(source)) {
    const key = PRICE_VARIABLE.exec(name)?.[1];
    if (!key || !value) continue;
    const parsed = priceId.safeParse(value);
    if (parsed.success) ids[key.toLowerCase()] = parsed.data;
    else problems.push(`${name}: ${parsed.error.issues[0]?.message}`);
  }
  if (problems.length) throw new Error(`Invalid environment: ${problems.join('; ')}`);
  return ids;
}

export const stripePriceIds = parseStripePriceIds(process.env);

/** Connections per app instance: DATABASE_POOL_SIZE, else 3 in a serverless function, else 10. */
export function databasePoolSize(source: Env = env): number {
  return source.DATABASE_POOL_SIZE ?? (source.VERCEL ? 3 : 10);
}

/**
 * Whether development defaults apply (the public webhook secret, the fixed session secret, the demo
 * sign-in, the simulator unasked, the request's host as the app's URL): under `next dev` and the test
 * runner (vitest, which runs this code unbundled) only. Next.js replaces `process.env.NODE_ENV` in the
 * code it builds with the build's own value, so a server started from `next build`'s output answers
 * false whatever NODE_ENV says when it starts. Tests of a production build configure it explicitly.
 */
export function developmentDefaultsApply(): boolean {
  return process.env.NODE_ENV !== 'production';
}

/** Every configured webhook signing secret (comma-separated for rotation or several endpoints). */
export function webhookSecrets(source: Env = env, development = developmentDefaultsApply()): string[] {
  const configured = (source.STRIPE_WEBHOOK_SECRET ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
  if (configured.length > 0) return configured;
  return development ? [DEVELOPMENT_WEBHOOK_SECRET] : [];
}

/** The signature's maximum age; null when 0 (no replay protection), which only development accepts. */
export function webhookToleranceSeconds(source: Env = env, development = developmentDefaultsApply()): number | null {
  return source.STRIPE_WEBHOOK_TOLERANCE_SECONDS === 0 && !development ? null : source.STRIPE_WEBHOOK_TOLERANCE_SECONDS;
}

/** Live or test mode, from the configured key; test mode when no key is set (the offline default). */
export function expectedLivemode(source: Env = env): boolean {
  return /^(sk|rk)_live_/.test(source.STRIPE_SECRET_KEY ?? '');
}

/** Upstash Redis (Vercel KV) REST credentials: the KV_REST_API_* pair, else the UPSTASH_REDIS_REST_* pair. */
export function kvConfig(source: Env = env): { url: string; token: string } | null {
  if (source.KV_REST_API_URL && source.KV_REST_API_TOKEN) return { url: source.KV_REST_API_URL, token: source.KV_REST_API_TOKEN };
  if (source.UPSTASH_REDIS_REST_URL && source.UPSTASH_REDIS_REST_TOKEN) {
    return { url: source.UPSTASH_REDIS_REST_URL, token: source.UPSTASH_REDIS_REST_TOKEN };
  }
  return null;
}

/** Signs session cookies and tokens (BETTER_AUTH_SECRET); production must set its own. */
export function sessionSecret(source: Env = env, development = developmentDefaultsApply()): string | null {
  if (source.BETTER_AUTH_SECRET) return source.BETTER_AUTH_SECRET;
  return development ? DEVELOPMENT_SESSION_SECRET : null;
}

/** The app's public origin from APP_URL (without a trailing slash); null when unset. */
export function appUrl(source: Env = env): string | null {
  return source.APP_URL ? new URL(source.APP_URL).origin : null;
}

/** The public origin sign-in callbacks and redirects use; unset: the request's own. */
export function authBaseUrl(source: Env = env): string | undefined {
  return source.BETTER_AUTH_URL ?? appUrl(source) ?? undefined;
}

/** OAuth providers whose client id and secret are both set. */
export function oauthProviders(source: Env = env): Partial<Record<'github' | 'google', { clientId: string; clientSecret: string }>> {
  const pair = (clientId?: string, clientSecret?: string) => (clientId && clientSecret ? { clientId, clientSecret } : undefined);
  return Object.fromEntries(
    Object.entries({
      github: pair(source.GITHUB_CLIENT_ID, source.GITHUB_CLIENT_SECRET),
      google: pair(source.GOOGLE_CLIENT_ID, source.GOOGLE_CLIENT_SECRET),
    }).filter(([, credentials]) => credentials),
  );
}

/** Email-only demo sign-in, for `npm run dev` and the test runner only: off for good in a production build. */
export function demoSignInEnabled(): boolean {
  return developmentDefaultsApply();
}

/**
 * The local test-mode checkout simulator: only without a Stripe key, and in a production build only
 * when STRIPE_SIMULATOR=true (its pages then say payments are simulated); never next to a real key.
 */
export function stripeSimulatorEnabled(source: Env = env, development = developmentDefaultsApply()): boolean {
  if (source.STRIPE_SECRET_KEY) return false;
  return source.STRIPE_SIMULATOR === 'true' || (development && source.STRIPE_SIMULATOR !== 'false');
}
