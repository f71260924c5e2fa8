import type { TestProject } from 'vitest/node';
import { pgbouncerUnavailable } from '../support/pgbouncer';
import { startIntegrationServers } from './integration-global';

// The integration files that exercise the database path, again with every app server behind
// PgBouncer in transaction mode, as on Vercel with a pooled DATABASE_URL (Supabase, Neon).
export default async function setup(project: TestProject) {
  const missing = pgbouncerUnavailable();
  if (missing) {
    if (process.env.CI) throw new Error(`integration-pooled cannot run: ${missing}. .ci/run installs it.`);
    // vitest.config.ts then runs only tests/setup/pooler-unavailable.test.ts, which reports the skip.
    console.warn(`\n[integration-pooled] NOT RUN: ${missing}.\n`);
    project.provide('poolerUnavailable', missing);
    return undefined;
  }
  return startIntegrationServers(project, { pooled: true });
}
