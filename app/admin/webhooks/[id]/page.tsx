import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import Stripe from 'stripe';
import { requireAdmin } from '@/lib/auth/admin';
import { formatDateTime } from '@/lib/format';
import { getPrisma } from '@/lib/db/client';
import { reprocessEventAction } from '../actions';

export const metadata: Metadata = { title: 'Webhook event', robots: { index: false } };
export const dynamic = 'force-dynamic';

export default async function WebhookEventPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ message?: string }>;
}) {
  await requireAdmin();
  const { id } = await params;
  const { message } = await searchParams;
  const event = await getPrisma().stripeWebhookEvent.findUnique({ where: { id: decodeURIComponent(id) } });
  if (!event) notFound();
  const versionMismatch = event.apiVersion !== null && event.apiVersion !== Stripe.API_VERSION;

  return (
    <main>
      <p>
        <Link href="/admin/webhooks">« All events</Link>
      </p>
      <h1 className="mono">{event.id}</h1>
      {message ? (
        <p className="notice" role="status">
          {message}
        </p>
      ) : null}
      {versionMismatch ? (
        <p className="notice warn">
          API version {event.apiVersion} differs from the pinned {Stripe.API_VERSION}: processed only because the fields the handler reads
          parsed.
        </p>
      ) : null}
      <section className="card">
        <dl className="facts">
          <dt>Type</dt>
          <dd>{event.type}</dd>
          <dt>Status</dt>
          <dd data-testid="event-status">
            {event.status}
            {event.note ? ` (${event.note})` : ''}
          </dd>
          <dt>Attempts</dt>
          <dd data-testid="event-attempts">{event.attempts}</dd>
          <dt>Duplicate deliveries</dt>
          <dd>{event.duplicateDeliveries}</dd>
          <dt>Last error</dt>
          <dd className="mono" data-testid="event-last-error">
            {event.lastError ?? '—'}
          </dd>
          <dt>Object</dt>
          <dd className="mono">{event.objectId ?? '—'}</dd>
          <dt>User</dt>
          <dd className="mono">{event.userId ?? '—'}</dd>
          <dt>Live mode</dt>
          <dd>{event.livemode ? 'yes' : 'no'}</dd>
          <dt>API version</dt>
          <dd>{event.apiVersion ?? '—'}</dd>
          <dt>Created at Stripe</dt>
          <dd>{formatDateTime(event.stripeCreatedAt)}</dd>
          <dt>Received</dt>
          <dd>{formatDateTime(event.receivedAt)}</dd>
          <dt>Processed</dt>
          <dd>{formatDateTime(event.processedAt)}</dd>
        </dl>
        {event.status === 'failed' || event.status === 'ignored' ? (
          <form action={reprocessEventAction} style={{ marginTop: '1rem' }}>
            <input type="hidden" name="eventId" value={event.id} />
            <input type="hidden" name="intent" value={event.status === 'ignored' ? 'replay' : 'reprocess'} />
            <button type="submit" className="button">
              {event.status === 'ignored' ? 'Replay' : 'Reprocess event'}
            </button>
            <p className="lead" style={{ marginTop: '.5rem' }}>
              {event.status === 'ignored'
                ? 'Runs the stored payload through the pipeline again, under the current configuration: replay once the cause is fixed (a mode or key set wrong, a customer not yet linked). It is applied only if it now applies, with the same ordering rules.'
                : 'Runs the stored payload through the same handler again, with the same idempotency and ordering rules.'}
            </p>
          </form>
        ) : null}
      </section>
      <h2 style={{ marginTop: '1.5rem' }}>Payload</h2>
      <pre aria-label="Event payload">{JSON.stringify(event.payload, null, 2)}</pre>
    </main>
  );
}
