import { getPrisma } from '../../db/client';
import { expectedLivemode } from '../../env';

const DRIFT_ROWS_SHOWN = 200;
const UNLINKED_SHOWN = 50;

export type SyncStatus = {
  lastRun: {
    id: string;
    startedAt: Date;
    finishedAt: Date | null;
    status: string;
    dryRun: boolean;
    error: string | null;
    resumedFrom: string | null;
    fetched: number;
    created: number;
    updated: number;
    unchanged: number;
    drift: number;
    unlinked: number;
    failed: number;
  } | null;
  drift: { stripeSubscriptionId: string; userId: string | null; field: string; stored: string | null; stripe: string | null }[];
  unlinked: { stripeSubscriptionId: string; stripeCustomerId: string | null; status: string; plan: string; stripePriceId: string | null }[];
  unlinkedTotal: number;
};

/** The last sync run of the configured mode with its drift rows, and the subscriptions no user is linked to. */
export async function getSyncStatus(): Promise<SyncStatus> {
  const prisma = getPrisma();
  const mode = expectedLivemode() ? 'live' : 'test';
  const [lastRun, unlinked, unlinkedTotal] = await Promise.all([
    prisma.stripeSyncRun.findFirst({
      where: { mode },
      orderBy: { startedAt: 'desc' },
      select: {
        id: true,
        startedAt: true,
        finishedAt: true,
        status: true,
        dryRun: true,
        error: true,
        resumedFrom: true,
        fetched: true,
        created: true,
        updated: true,
        unchanged: true,
        drift: true,
        unlinked: true,
        failed: true,
      },
    }),
    prisma.userSubscription.findMany({
      where: { userId: null },
      orderBy: { updatedAt: 'desc' },
      take: UNLINKED_SHOWN,
      select: { stripeSubscriptionId: true, stripeCustomerId: true, status: true, plan: true, stripePriceId: true },
    }),
    prisma.userSubscription.count({ where: { userId: null } }),
  ]);
  const drift = lastRun
    ? await prisma.stripeSyncDrift.findMany({
        where: { runId: lastRun.id },
        orderBy: { id: 'asc' },
        take: DRIFT_ROWS_SHOWN,
        select: { stripeSubscriptionId: true, userId: true, field: true, stored: true, stripe: true },
      })
    : [];
  return { lastRun, drift, unlinked, unlinkedTotal };
}
