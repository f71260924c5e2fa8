import { defineConfig } from 'prisma/config';

// `env('DATABASE_URL')` would throw when the variable is unset, even for `prisma generate`;
// scripts/with-database.ts sets it (embedded PostgreSQL) for every command that needs a database.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
