import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import Stripe from 'stripe';
import { getDeliveryChart } from '@/lib/admin/get-delivery-chart';
import { getWebhookCounters } from '@/lib/admin/get-webhook-counters';
import { listFilters, listWebhookEvents } from '@/lib/admin/list-webhook-events';
import { EVENT_STATUSES } from '@/lib/billing/webhook/event-statuses';
import { requireAdmin } from '@/lib/auth/admin';
import { formatDateTime } from '@/lib/format';
import { ReconcileStatus } from './reconcile-status';
import { SyncStatus } from './sync-status';
import { DeliveryChart } from './delivery-chart';
import { FiringAlerts } from './firing-alerts';
import { UnknownPrices } from './unknown-prices';

export const metadata: Metadata = { title: 'Webhook events', robots: { index: false } };
export const dynamic = 'force-dynamic';

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const STATUS_BADGE: Record<string, string> = { processed: 'ok', ignored: '', failed: 'bad' };

type SearchParams = { type?: string; status?: string; cursor?: string; id?: string; sync_message?: string };

export default async function AdminWebhooksPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireAdmin();
  const params = await searchParams;
  const lookup = params.id?.trim();
  if (lookup) redirect(`/admin/webhooks/${encodeURIComponent(lookup)}`);
  const filters = listFilters.parse(params);
  // The chart belongs to the overview: a filtered or older page of the list does not pay for it again.
  const overview = !filters.type && !filters.status && !filters.cursor;
  const [counters, page, chart] = await Promise.all([
    getWebhookCounters(),
    listWebhookEvents(filters),
    overview ? getDeliveryChart({ hours: 168 }) : null,
  ]);
  const query = (extra: Record<string, string | undefined>) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries({ type: filters.type, status: filters.status, ...extra })) if (value) search.set(key, value);
    const text = search.toString();
    return text ? `/admin/webhooks?${text}` : '/admin/webhooks';
  };

  return (
    <main>
      <h1>Webhook events</h1>
      <FiringAlerts />
      <section className="counters" aria-label="Counters">
        <div className="card counter">
          <div className="value" data-testid="success-rate">
            {percent(counters.successRate24h)}
          </div>
          <div className="label">Success rate, 24 h</div>
        </div>
        <div className="card counter">
          <div className="value" data-testid="signature-failures">
            {counters.signatureFailuresLastHour} {counters.signatureAlert ? <span className="badge bad">Alert</span> : null}
          </div>
          <div className="label">Signature failures this hour (alert over {counters.signatureAlertOver}/h)</div>
        </div>
        <div className="card counter">
          <div className="value" data-testid="duplicate-share">
            {percent(counters.duplicateShare24h)}
          </div>
          <div className="label">Duplicate deliveries, 24 h</div>
        </div>
        <div className="card counter">
          <div className="value" data-testid="failed-count">
            {counters.failedEvents}
          </div>
          <div className="label">Failed events</div>
        </div>
      </section>
      {chart ? (
        <>
          <DeliveryChart id="chart-day" title="Deliveries per hour, last 24 hours" hours={chart.slice(-24)} />
          <DeliveryChart id="chart-week" title="Deliveries per hour, last 7 days" hours={chart} />
        </>
      ) : null}
      <ReconcileStatus />
      {overview ? <UnknownPrices /> : null}
      <SyncStatus message={typeof params.sync_message === 'string' ? params.sync_message.slice(0, 500) : undefined} />
      <p>
        <Link href="/admin/users">Look up a user&apos;s billing timeline »</Link>
      </p>

      <form method="get" action="/admin/webhooks" className="form-row" aria-label="Filter events">
        <div>
          <label htmlFor="type">Type</label>
          <input id="type" name="type" defaultValue={filters.type ?? ''} placeholder="customer.subscription.updated" />
        </div>
        <div>
          <label htmlFor="status">Status</label>
          <select id="status" name="status" defaultValue={filters.status ?? ''}>
            <option value="">Any</option>
            {EVENT_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Filter
        </button>
        {filters.type || filters.status ? <Link href="/admin/webhooks">Clear</Link> : null}
      </form>
      <form method="get" action="/admin/webhooks" className="form-row" aria-label="Look up an event">
        <div>
          <label htmlFor="id">Event id</label>
          <input id="id" name="id" placeholder="evt_..." />
        </div>
        <button type="submit" className="button secondary">
          Look up
        </button>
      </form>

      {page.events.length === 0 ? (
        <p className="card empty">
          No events{filters.type || filters.status ? ' match these filters' : ' yet: send one with npm run stripe:trigger'}.
        </p>
      ) : (
        <table aria-label="Webhook events">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">Event</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Duplicates</th>
            </tr>
          </thead>
          <tbody>
            {page.events.map((event) => (
              <tr key={event.id}>
                <td>{formatDateTime(event.receivedAt)}</td>
                <td>
                  <Link href={`/admin/webhooks/${encodeURIComponent(event.id)}`} className="mono">
                    {event.id}
                  </Link>
                </td>
                <td>
                  {event.type}
                  {event.apiVersion && event.apiVersion !== Stripe.API_VERSION ? (
                    <>
                      {' '}
                      <span className="badge warn" title={`API version ${event.apiVersion}`}>
                        API {event.apiVersion}
                      </span>
                    </>
                  ) : null}
                </td>
                <td>
                  <span className={`badge ${STATUS_BADGE[event.status] ?? ''}`}>{event.status}</span>
                  {event.note ? (
                    <>
                      {' '}
                      <span className="badge">{event.note}</span>
                    </>
                  ) : null}
                </td>
                <td>{event.attempts}</td>
                <td>{event.duplicateDeliveries}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        {filters.cursor ? <Link href={query({})}>« Newest</Link> : null}{' '}
        {page.nextCursor ? (
          <Link href={query({ cursor: page.nextCursor })} rel="next">
            Older events »
          </Link>
        ) : null}
      </p>
    </main>
  );
}
