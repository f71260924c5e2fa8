// Runs once when a server instance starts (`next start`, a new serverless instance).
export async function register(): Promise<void> {
  // The Node runtime only: the pool and `pg` do not exist on the edge.
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { warmDatabasePool } = await import('./lib/db/warm-database-pool');
  warmDatabasePool();
}
