import { PrismaPg } from '@prisma/adapter-pg';
import { env } from '../env';
import { type Prisma, PrismaClient } from './generated/client';

function createPrismaClient(): PrismaClient {
  if (!env.DATABASE_URL) {
    throw new Error('DATABASE_URL is not set. Start the app with `npm run dev` (embedded PostgreSQL) or set DATABASE_URL.');
  }
  const adapter = new PrismaPg({
    connectionString: env.DATABASE_URL,
    max: env.DATABASE_POOL_SIZE,
    // Fail fast when the database is unreachable: Stripe retries, and a hung request helps no one.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  return new PrismaClient({ adapter });
}

// One client per process; in development the module reloads, so keep it on globalThis.
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/** The Prisma client, created on first use so that builds need no database. */
export function getPrisma(): PrismaClient {
  globalForPrisma.prisma ??= createPrismaClient();
  return globalForPrisma.prisma;
}

export type { PrismaClient };
export type TransactionClient = Prisma.TransactionClient;
