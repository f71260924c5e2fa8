import Link from 'next/link';
import { getSyncStatus } from '@/lib/billing/sync/get-sync-status';
import { formatDateTime } from '@/lib/format';
import { linkSubscriptionAction, syncNowAction } from './sync-actions';

const RUN_BADGE: Record<string, string> = { completed: 'ok', running: 'warn', interrupted: 'warn', failed: 'bad' };

/** The last sync run with its counts and drift, the subscriptions no user is linked to, and the buttons. */
export async function SyncStatus({ message }: { message?: string }) {
  const { lastRun, drift, unlinked, unlinkedTotal } = await getSyncStatus();
  return (
    <section className="card" aria-label="Sync" id="sync" data-testid="sync-status">
      <h2>Sync with Stripe</h2>
      {message ? (
        <p className="notice" role="status" data-testid="sync-message">
          {message}
        </p>
      ) : null}
      {lastRun ? (
        <>
          <p>
            Last run {formatDateTime(lastRun.startedAt)}{' '}
            <span className={`badge ${RUN_BADGE[lastRun.status] ?? ''}`}>{lastRun.status}</span>
            {lastRun.dryRun ? (
              <>
                {' '}
                <span className="badge">dry run</span>
              </>
            ) : null}
            {lastRun.finishedAt ? <> · finished {formatDateTime(lastRun.finishedAt)}</> : null}
            {lastRun.resumedFrom ? <> · continued an interrupted run</> : null}
          </p>
          <p data-testid="sync-counts">
            fetched {lastRun.fetched} · created {lastRun.created} · updated {lastRun.updated} · unchanged {lastRun.unchanged} · drift{' '}
            {lastRun.drift} · unlinked {lastRun.unlinked}
            {lastRun.failed > 0 ? <> · unreadable {lastRun.failed}</> : null}
          </p>
          {lastRun.error ? (
            <p>
              <span className="badge bad">Error</span> {lastRun.error}
            </p>
          ) : null}
        </>
      ) : (
        <p>
          No run yet: <code>npm run stripe:sync</code>, the button below, or <code>/api/cron/stripe-sync</code>.
        </p>
      )}
      <form action={syncNowAction} className="form-row">
        <button className="button" type="submit" name="intent" value="sync">
          Sync now
        </button>
        <button className="button secondary" type="submit" name="intent" value="dry-run">
          Dry run (report only)
        </button>
      </form>
      {drift.length > 0 ? (
        <table data-testid="sync-drift">
          <caption>Drift found by the last run: stored vs Stripe</caption>
          <thead>
            <tr>
              <th>Subscription</th>
              <th>User</th>
              <th>Field</th>
              <th>Stored</th>
              <th>Stripe</th>
            </tr>
          </thead>
          <tbody>
            {drift.map((row) => (
              <tr key={`${row.stripeSubscriptionId}:${row.field}`}>
                <td className="mono">{row.stripeSubscriptionId}</td>
                <td className="mono">
                  {row.userId ? <Link href={`/admin/users?q=${encodeURIComponent(row.userId)}`}>{row.userId}</Link> : '—'}
                </td>
                <td>{row.field}</td>
                <td className="mono">{row.stored ?? '—'}</td>
                <td className="mono">{row.stripe ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h3>Unlinked subscriptions ({unlinkedTotal})</h3>
      {unlinked.length > 0 ? (
        <table data-testid="sync-unlinked">
          <thead>
            <tr>
              <th>Subscription</th>
              <th>Customer</th>
              <th>Status</th>
              <th>Price</th>
              <th>Link to user</th>
            </tr>
          </thead>
          <tbody>
            {unlinked.map((row) => (
              <tr key={row.stripeSubscriptionId}>
                <td className="mono">{row.stripeSubscriptionId}</td>
                <td className="mono">{row.stripeCustomerId ?? '—'}</td>
                <td>{row.status}</td>
                <td className="mono">{row.stripePriceId ?? '—'}</td>
                <td>
                  <form action={linkSubscriptionAction} className="form-row">
                    <input type="hidden" name="subscriptionId" value={row.stripeSubscriptionId} />
                    <label className="sr-only" htmlFor={`link-${row.stripeSubscriptionId}`}>
                      User id or e-mail for {row.stripeSubscriptionId}
                    </label>
                    <input id={`link-${row.stripeSubscriptionId}`} name="user" placeholder="user id or e-mail" required />
                    <button className="button secondary" type="submit">
                      Link
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>Every stored subscription is linked to a user.</p>
      )}
      <p>
        <small>
          Linked by <code>metadata.user_id</code> (an existing user), then by the user&apos;s Stripe customer; never by e-mail address
          alone.
        </small>
      </p>
    </section>
  );
}
