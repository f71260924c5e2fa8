// Runs once when a server instance starts (`next start`, a new serverless instance).
export async function register(): Promise<void> {
  // The Node runtime only: the pool and `pg` do not exist on the edge.
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { warmDatabasePool } = await import('./lib/db/warm-database-pool');
  warmDatabasePool();
  // The webhook's own code (the pipeline, its handlers, zod, pg) loads now, not on Stripe's first
  // delivery to this instance; the pages still load on their first request.
  await import('./lib/billing/webhook/webhook-route-modules');
  // A production build says at start what the operator must know before clients arrive.
  const { developmentDefaultsApply } = await import('./lib/env');
  if (developmentDefaultsApply()) return;
  const [{ CLIENT_ADDRESS_WARNING, clientAddressSource }, { logger }] = await Promise.all([
    import('./lib/auth/client-address-source'),
    import('./lib/logger'),
  ]);
  if (!clientAddressSource().trusted) logger.warn(CLIENT_ADDRESS_WARNING);
}
