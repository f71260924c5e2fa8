import type { TestProject } from 'vitest/node';
import { startTestDatabase } from './test-database';

// Unit tests of the handlers run against a real PostgreSQL too; lib/env reads DATABASE_URL.
export default async function setup(project: TestProject) {
  const db = await startTestDatabase('unit');
  process.env.DATABASE_URL = db.url;
  project.provide('databaseUrl', db.url);
  return () => db.destroy();
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    appUrl: string;
  }
}
