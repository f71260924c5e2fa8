import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { testPool } from '../../tests/support/database';
import { getBillingTimeline, type TimelineEntry } from './get-billing-timeline';

// The admin page's answer to "why is this user on this plan?", read from rows as the pipeline, sync and
// an administrator leave them: which user a look-up finds, which subscriptions and which history lines.

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

const fresh = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 14)}`;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 9, minute));

type EventRow = {
  type?: string;
  status?: string;
  note?: string | null;
  attempts?: number;
  duplicates?: number;
  lastError?: string | null;
  createdAt?: Date | null;
  objectId?: string | null;
  userId?: string | null;
  object?: Record<string, unknown>;
};

async function event(minute: number, row: EventRow): Promise<string> {
  const id = fresh('evt');
  await pool.query(
    `INSERT INTO stripe_webhook_events (id, type, status, note, attempts, duplicate_deliveries, last_error, received_at,
       stripe_created_at, object_id, user_id, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      id,
      row.type ?? 'customer.subscription.updated',
      row.status ?? 'processed',
      row.note ?? null,
      row.attempts ?? 1,
      row.duplicates ?? 0,
      row.lastError ?? null,
      at(minute),
      row.createdAt ?? null,
      row.objectId ?? null,
      row.userId ?? null,
      JSON.stringify({ id, object: 'event', data: { object: row.object ?? {} } }),
    ],
  );
  return id;
}

type ChangeRow = {
  subscriptionId: string;
  userId?: string | null;
  source: 'sync' | 'admin';
  outcome: 'created' | 'updated' | 'unchanged' | 'stale' | 'linked';
  note?: string | null;
};

async function change(minute: number, row: ChangeRow, changes: Record<string, { stored: unknown; stripe: unknown }> = {}) {
  const reference = row.source === 'admin' ? fresh('admin') : fresh('run');
  await pool.query(
    `INSERT INTO stripe_subscription_changes (stripe_subscription_id, user_id, source, outcome, note, changes, run_id, actor_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      row.subscriptionId,
      row.userId ?? null,
      row.source,
      row.outcome,
      row.note ?? null,
      JSON.stringify(changes),
      row.source === 'sync' ? reference : null,
      row.source === 'admin' ? reference : null,
      at(minute),
    ],
  );
  return reference;
}

async function subscription(id: string, userId: string | null, customerId: string | null, createdMinute: number) {
  await pool.query(
    `INSERT INTO user_subscriptions (stripe_subscription_id, user_id, stripe_customer_id, stripe_price_id, plan, status, is_active,
       current_period_end, cancel_at_period_end, last_event_at, created_at, updated_at)
     VALUES ($1, $2, $3, 'price_pro', 'pro', 'active', true, $4, false, $5, $6, $6)`,
    [id, userId, customerId, at(50), at(createdMinute), at(createdMinute)],
  );
}

/** A user with a customer id, two subscriptions (the older one written second), and one unlinked by customer. */
async function account() {
  const userId = fresh('user');
  const email = `${fresh('Someone')}@Example.com`;
  const customerId = fresh('cus');
  await pool.query('INSERT INTO users (id, email, stripe_customer_id) VALUES ($1, $2, $3)', [userId, email, customerId]);
  const [newer, older, byCustomer] = [fresh('sub'), fresh('sub'), fresh('sub')];
  await subscription(newer, userId, customerId, 3);
  await subscription(older, userId, customerId, 1);
  await subscription(byCustomer, null, customerId, 5);
  return { userId, email, customerId, newer, older, byCustomer };
}

const line = (minute: number, rest: Omit<TimelineEntry, 'at'>): TimelineEntry => ({ at: at(minute), ...rest });

const subscriptionSummary = (id: string, userId: string | null, customerId: string | null, createdMinute: number) => ({
  stripeSubscriptionId: id,
  userId,
  stripeCustomerId: customerId,
  stripePriceId: 'price_pro',
  plan: 'pro',
  status: 'active',
  isActive: true,
  currentPeriodEnd: at(50),
  cancelAtPeriodEnd: false,
  lastEventAt: at(createdMinute),
  updatedAt: at(createdMinute),
});

describe('getBillingTimeline', () => {
  it('finds the user by id, e-mail address in any case, or customer id, with every subscription oldest first', async () => {
    const { userId, email, customerId, newer, older, byCustomer } = await account();
    for (const lookup of [userId, email.toLowerCase(), customerId]) {
      const timeline = await getBillingTimeline(lookup);
      expect(timeline.user).toEqual({ id: userId, email, stripeCustomerId: customerId, role: 'user' });
      expect(timeline.subscriptions).toEqual([
        subscriptionSummary(older, userId, customerId, 1),
        subscriptionSummary(newer, userId, customerId, 3),
        subscriptionSummary(byCustomer, null, customerId, 5),
      ]);
    }
  });

  it('tells each event, sync snapshot and administrator action in the order they happened, with what it carried', async () => {
    const { userId, newer, older, byCustomer } = await account();
    const applied = await event(10, {
      objectId: newer,
      userId,
      createdAt: at(9),
      object: { status: 'past_due', cancel_at_period_end: true, items: { data: [{ price: { id: 'price_pro' } }] } },
    });
    const stale = await event(11, { objectId: newer, userId, note: 'stale', object: { status: 'active', cancel_at_period_end: false } });
    const failed = await event(12, { objectId: older, userId, status: 'failed', attempts: 2, lastError: 'fields do not parse' });
    const unknownPrice = await event(13, { objectId: older, userId, note: 'unknown_price', attempts: 1 });
    const ignored = await event(14, { type: 'customer.created', status: 'ignored', userId, objectId: null });
    const invoice = await event(15, { type: 'invoice.paid', objectId: 'in_123', userId, duplicates: 2 });
    const beforeLink = await event(16, { objectId: byCustomer, userId: null });
    const synced = await change(
      17,
      { subscriptionId: newer, userId, source: 'sync', outcome: 'updated', note: 'unknown_price' },
      { status: { stored: 'active', stripe: null } },
    );
    const linked = await change(
      18,
      { subscriptionId: byCustomer, userId, source: 'admin', outcome: 'linked' },
      { user_id: { stored: null, stripe: userId } },
    );
    const refused = await change(19, { subscriptionId: older, userId, source: 'sync', outcome: 'stale' });
    // Someone else's history, and an unlinked event of a subscription that is not theirs.
    await event(20, { objectId: fresh('sub'), userId: fresh('user') });
    await event(21, { objectId: fresh('sub'), userId: null });

    const { entries } = await getBillingTimeline(userId);
    expect(entries).toEqual([
      line(10, {
        source: 'event',
        reference: applied,
        type: 'customer.subscription.updated',
        subscriptionId: newer,
        outcome: 'processed',
        detail: `status past_due · price price_pro · cancels at period end · created at Stripe ${at(9).toISOString()}`,
      }),
      line(11, {
        source: 'event',
        reference: stale,
        type: 'customer.subscription.updated',
        subscriptionId: newer,
        outcome: 'stale',
        detail: 'status active',
      }),
      line(12, {
        source: 'event',
        reference: failed,
        type: 'customer.subscription.updated',
        subscriptionId: older,
        outcome: 'failed',
        detail: '2 attempts · error: fields do not parse',
      }),
      line(13, {
        source: 'event',
        reference: unknownPrice,
        type: 'customer.subscription.updated',
        subscriptionId: older,
        outcome: 'processed',
        detail: 'note unknown_price',
      }),
      line(14, { source: 'event', reference: ignored, type: 'customer.created', subscriptionId: null, outcome: 'ignored', detail: '' }),
      line(15, { source: 'event', reference: invoice, type: 'invoice.paid', subscriptionId: null, outcome: 'processed', detail: '' }),
      line(15, {
        source: 'event',
        reference: invoice,
        type: 'invoice.paid',
        subscriptionId: null,
        outcome: 'duplicate',
        detail: '2 redelivery(ies), nothing applied again',
      }),
      line(16, {
        source: 'event',
        reference: beforeLink,
        type: 'customer.subscription.updated',
        subscriptionId: byCustomer,
        outcome: 'processed',
        detail: '',
      }),
      line(17, {
        source: 'sync',
        reference: synced,
        type: 'subscription.sync',
        subscriptionId: newer,
        outcome: 'processed',
        detail: 'updated: status: active → ∅ · note unknown_price',
      }),
      line(18, {
        source: 'admin',
        reference: linked,
        type: 'admin.link',
        subscriptionId: byCustomer,
        outcome: 'processed',
        detail: `linked: user_id: ∅ → ${userId}`,
      }),
      line(19, {
        source: 'sync',
        reference: refused,
        type: 'subscription.sync',
        subscriptionId: older,
        outcome: 'stale',
        detail: 'stale: no field changed',
      }),
    ]);
  });

  it('shows the history of a subscription no user has yet, found by its id or its customer id', async () => {
    const [subscriptionId, customerId] = [fresh('sub'), fresh('cus')];
    await subscription(subscriptionId, null, customerId, 2);
    const delivered = await event(4, { objectId: subscriptionId, object: { status: 'active' } });
    for (const lookup of [subscriptionId, customerId]) {
      expect(await getBillingTimeline(lookup)).toEqual({
        user: null,
        subscriptions: [subscriptionSummary(subscriptionId, null, customerId, 2)],
        entries: [
          {
            at: at(4),
            source: 'event',
            reference: delivered,
            type: 'customer.subscription.updated',
            subscriptionId,
            outcome: 'processed',
            detail: 'status active',
          },
        ],
      });
    }
  });

  it('shows a user without any subscription with their own events, and nothing for a look-up that names nobody', async () => {
    const userId = fresh('user');
    await pool.query('INSERT INTO users (id, email) VALUES ($1, $2)', [userId, `${fresh('new')}@example.com`]);
    const checkout = await event(30, { type: 'checkout.session.completed', objectId: 'cs_1', userId, note: 'customer_reassigned' });
    const timeline = await getBillingTimeline(userId);
    expect(timeline.user?.id).toBe(userId);
    expect(timeline.subscriptions).toEqual([]);
    expect(timeline.entries.map((entry) => [entry.reference, entry.detail])).toEqual([[checkout, 'note customer_reassigned']]);

    expect(await getBillingTimeline(fresh('nobody'))).toEqual({ user: null, subscriptions: [], entries: [] });
  });

  it('keeps the 500 most recent lines: 500 events at most, then the newest 500 of events and changes together', async () => {
    const userId = fresh('user');
    await pool.query('INSERT INTO users (id, email) VALUES ($1, $2)', [userId, `${fresh('busy')}@example.com`]);
    await pool.query(
      `INSERT INTO stripe_webhook_events (id, type, status, received_at, user_id, payload)
       SELECT $1 || i, 'invoice.paid', 'processed', $2::timestamptz + i * interval '1 second', $3, '{}'::jsonb
       FROM generate_series(1, 501) AS i`,
      [`${fresh('evt')}_`, at(0), userId],
    );
    await change(40, { subscriptionId: fresh('sub'), userId, source: 'sync', outcome: 'created' });
    const { entries } = await getBillingTimeline(userId);
    expect(entries).toHaveLength(500);
    // Events 2 to 501 are read; with the change that is 501 lines, the oldest is cut: event 3 comes first.
    expect(entries[0]?.at).toEqual(new Date(at(0).getTime() + 3_000));
    expect(entries.at(-1)?.source).toBe('sync');
  });
});
