import { getReconcileStatus } from '@/lib/billing/reconcile/get-reconcile-status';
import { CURSOR_WARNING_DAYS, cursorAgeWarning, EVENT_RETENTION_DAYS } from '@/lib/billing/reconcile/reconcile-stripe-events';
import { formatDateTime } from '@/lib/format';

const RUN_BADGE: Record<string, string> = { completed: 'ok', running: 'warn', failed: 'bad' };

function formatAge(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  if (hours < 1) return 'less than an hour';
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'}`;
  return `${Math.floor(hours / 24)} days`;
}

/** The last reconciliation run with its counts, and how old the Events API cursor is. */
export async function ReconcileStatus() {
  const { lastRun, cursor } = await getReconcileStatus();
  const now = new Date();
  const coveredUntil = cursor?.coveredUntil ?? null;
  const warning = cursorAgeWarning(coveredUntil, now);
  const eventsLost = coveredUntil !== null && now.getTime() - coveredUntil.getTime() > EVENT_RETENTION_DAYS * 86_400_000;
  return (
    <section className="card" aria-label="Reconciliation" data-testid="reconcile-status">
      <h2>Reconciliation</h2>
      {lastRun ? (
        <>
          <p>
            Last run {formatDateTime(lastRun.startedAt)}{' '}
            <span className={`badge ${RUN_BADGE[lastRun.status] ?? ''}`}>{lastRun.status}</span>
            {lastRun.finishedAt ? <> · finished {formatDateTime(lastRun.finishedAt)}</> : null}
          </p>
          <p data-testid="reconcile-counts">
            fetched {lastRun.fetched} · processed {lastRun.processed} · already processed {lastRun.alreadyProcessed} · stale {lastRun.stale}{' '}
            · ignored {lastRun.ignored} · failed {lastRun.failed}
          </p>
          {lastRun.error ? (
            <p>
              <span className="badge bad">Error</span> {lastRun.error}
            </p>
          ) : null}
        </>
      ) : (
        <p>
          No run yet: <code>npm run stripe:reconcile</code>, or the hourly cron <code>/api/cron/stripe-reconcile</code>.
        </p>
      )}
      <p data-testid="reconcile-cursor">
        Cursor:{' '}
        {coveredUntil ? (
          <>
            events up to {formatDateTime(coveredUntil)} covered ({formatAge(now.getTime() - coveredUntil.getTime())} ago)
          </>
        ) : (
          'none yet'
        )}
        {cursor?.eventId ? (
          <>
            {' '}
            · last event <span className="mono">{cursor.eventId}</span>
          </>
        ) : null}
      </p>
      {warning ? (
        <p>
          <span className={`badge ${eventsLost ? 'bad' : 'warn'}`}>Warning</span> {warning}
        </p>
      ) : null}
      <p>
        <small>
          Stripe keeps events for {EVENT_RETENTION_DAYS} days; a cursor older than {CURSOR_WARNING_DAYS} days is flagged.
        </small>
      </p>
    </section>
  );
}
