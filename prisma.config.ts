import './scripts/load-env';
import { defineConfig } from 'prisma/config';

// Migrations and other DDL take a session advisory lock, which a transaction-mode pooler (the pooled
// DATABASE_URL of Neon, Supabase, PgBouncer) cannot keep: they use the direct connection, under the
// name the provider's Vercel integration gives it, and fall back to DATABASE_URL.
const MIGRATION_URL_NAMES = ['DIRECT_URL', 'DATABASE_URL_UNPOOLED', 'POSTGRES_URL_NON_POOLING', 'DATABASE_URL'];
const url = MIGRATION_URL_NAMES.map((name) => process.env[name]?.trim()).find(Boolean);

// `env('DATABASE_URL')` would throw when the variable is unset, even for `prisma generate`;
// scripts/with-database.ts sets it (embedded PostgreSQL) for every command that needs a database.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: url ?? '' },
});
