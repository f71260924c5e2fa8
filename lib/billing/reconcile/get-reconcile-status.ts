import { getPrisma } from '../../db/client';
import { expectedLivemode } from '../../env';

export type ReconcileStatus = {
  lastRun: {
    startedAt: Date;
    finishedAt: Date | null;
    status: string;
    warning: string | null;
    error: string | null;
    fetched: number;
    processed: number;
    alreadyProcessed: number;
    stale: number;
    ignored: number;
    failed: number;
  } | null;
  cursor: { eventId: string | null; coveredUntil: Date | null } | null;
};

/** The last reconciliation run of the configured mode and where its cursor stands, for the admin page. */
export async function getReconcileStatus(): Promise<ReconcileStatus> {
  const mode = expectedLivemode() ? 'live' : 'test';
  const prisma = getPrisma();
  const [lastRun, state] = await Promise.all([
    prisma.stripeReconcileRun.findFirst({
      where: { mode },
      orderBy: { startedAt: 'desc' },
      select: {
        startedAt: true,
        finishedAt: true,
        status: true,
        warning: true,
        error: true,
        fetched: true,
        processed: true,
        alreadyProcessed: true,
        stale: true,
        ignored: true,
        failed: true,
      },
    }),
    prisma.stripeReconcileState.findUnique({ where: { mode }, select: { cursorEventId: true, coveredUntil: true } }),
  ]);
  return { lastRun, cursor: state ? { eventId: state.cursorEventId, coveredUntil: state.coveredUntil } : null };
}
