import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';
import { getPool } from './pool';

// One client per process; in development the module reloads, so keep it on globalThis.
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/** The Prisma client over the shared pool, created on first use so that builds need no database. */
export function getPrisma(): PrismaClient {
  globalForPrisma.prisma ??= new PrismaClient({ adapter: new PrismaPg(getPool()) });
  return globalForPrisma.prisma;
}

export type { PrismaClient };
