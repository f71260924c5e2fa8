import type { Metadata } from 'next';
import Link from 'next/link';
import { getBillingTimeline } from '@/lib/admin/get-billing-timeline';
import { requireAdmin } from '@/lib/auth/admin';
import { formatDateTime } from '@/lib/format';

export const metadata: Metadata = { title: 'Billing timeline', robots: { index: false } };
export const dynamic = 'force-dynamic';

const OUTCOME_BADGE: Record<string, string> = { processed: 'ok', stale: 'warn', duplicate: '', ignored: '', failed: 'bad' };

/** "Why is this user on this plan?": a user's subscription rows and everything that touched them, in order. */
export default async function AdminUsersPage({ searchParams }: { searchParams: Promise<{ q?: string | string[] }> }) {
  await requireAdmin();
  const { q } = await searchParams;
  const lookup = (typeof q === 'string' ? q : '').trim().slice(0, 320);
  const timeline = lookup ? await getBillingTimeline(lookup) : null;

  return (
    <main>
      <p>
        <Link href="/admin/webhooks">« Webhook events</Link>
      </p>
      <h1>Billing timeline</h1>
      <form method="get" action="/admin/users" className="form-row" aria-label="Find a user">
        <div>
          <label htmlFor="q">E-mail, user id, or Stripe customer id</label>
          <input id="q" name="q" defaultValue={lookup} placeholder="someone@example.com" />
        </div>
        <button className="button" type="submit">
          Look up
        </button>
      </form>
      {timeline && !timeline.user && timeline.subscriptions.length === 0 ? (
        <p className="notice" role="status" data-testid="timeline-none">
          No user or subscription matches {lookup}.
        </p>
      ) : null}
      {timeline?.user ? (
        <section className="card" data-testid="timeline-user">
          <dl className="facts">
            <dt>User</dt>
            <dd className="mono">{timeline.user.id}</dd>
            <dt>E-mail</dt>
            <dd>{timeline.user.email ?? '—'}</dd>
            <dt>Stripe customer</dt>
            <dd className="mono">{timeline.user.stripeCustomerId ?? '—'}</dd>
          </dl>
        </section>
      ) : null}
      {timeline && timeline.subscriptions.length > 0 ? (
        <table data-testid="timeline-subscriptions">
          <caption>Subscription rows</caption>
          <thead>
            <tr>
              <th>Subscription</th>
              <th>Plan</th>
              <th>Status</th>
              <th>Active</th>
              <th>Price</th>
              <th>Period end</th>
              <th>Cancels</th>
              <th>Last event</th>
              <th>User</th>
            </tr>
          </thead>
          <tbody>
            {timeline.subscriptions.map((row) => (
              <tr key={row.stripeSubscriptionId}>
                <td className="mono">{row.stripeSubscriptionId}</td>
                <td>{row.plan}</td>
                <td>{row.status}</td>
                <td>{row.isActive ? 'yes' : 'no'}</td>
                <td className="mono">{row.stripePriceId ?? '—'}</td>
                <td>{formatDateTime(row.currentPeriodEnd)}</td>
                <td>{row.cancelAtPeriodEnd ? 'at period end' : '—'}</td>
                <td>{formatDateTime(row.lastEventAt)}</td>
                <td className="mono">{row.userId ?? 'unlinked'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {timeline && (timeline.user || timeline.subscriptions.length > 0) ? (
        timeline.entries.length > 0 ? (
          <table data-testid="timeline-entries">
            <caption>Everything that touched them, oldest first</caption>
            <thead>
              <tr>
                <th>When</th>
                <th>Source</th>
                <th>What</th>
                <th>Subscription</th>
                <th>Outcome</th>
                <th>Changed</th>
              </tr>
            </thead>
            <tbody>
              {timeline.entries.map((entry, index) => (
                <tr key={`${entry.reference ?? ''}:${entry.outcome}:${index}`}>
                  <td>{formatDateTime(entry.at)}</td>
                  <td>{entry.source}</td>
                  <td>
                    {entry.source === 'event' && entry.reference ? (
                      <Link className="mono" href={`/admin/webhooks/${encodeURIComponent(entry.reference)}`}>
                        {entry.reference}
                      </Link>
                    ) : null}{' '}
                    {entry.type}
                  </td>
                  <td className="mono">{entry.subscriptionId ?? '—'}</td>
                  <td>
                    <span className={`badge ${OUTCOME_BADGE[entry.outcome] ?? ''}`}>{entry.outcome}</span>
                  </td>
                  <td>{entry.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="empty">No event, sync or administrator action recorded for them.</p>
        )
      ) : null}
    </main>
  );
}
