import type Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { freshScenario, type Scenario, stripeEvent } from '../../../tests/support/stripe-events';
import { eventRows, subscriptionRow, testPool } from '../../../tests/support/database';
import { featureCacheKey } from '../../cache/feature-cache';
import { getCacheStore } from '../../cache/store';
import { env } from '../../env';
import { processStripeEvent } from './process-stripe-event';

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

let scenario: Scenario;
beforeEach(() => {
  scenario = freshScenario();
});

describe('idempotency and guards', () => {
  it('answers already_processed for a second delivery and counts it', async () => {
    const delivery = stripeEvent('customer.subscription.created', scenario);
    await processStripeEvent(delivery);
    expect(await processStripeEvent(delivery)).toEqual({ status: 'already_processed', userId: scenario.userId, attempt: 1 });
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ duplicate_deliveries: 1, attempts: 1 });
  });

  it('records unhandled types as ignored', async () => {
    const delivery = stripeEvent('customer.created', scenario);
    expect(await processStripeEvent(delivery)).toEqual({ status: 'ignored', userId: null, attempt: 1 });
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ status: 'ignored', note: null, object_id: scenario.customerId });
  });

  it('ignores an event from the other mode and never applies it', async () => {
    const delivery = stripeEvent('customer.subscription.created', scenario, { livemode: true });
    expect((await processStripeEvent(delivery)).status).toBe('ignored');
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ status: 'ignored', note: 'livemode_mismatch' });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
  });

  it('processes another API version when the fields parse, keeping the version for the admin page', async () => {
    const delivery = stripeEvent('customer.subscription.created', scenario, { api_version: '2025-01-27.acacia' });
    expect((await processStripeEvent(delivery)).status).toBe('processed');
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ status: 'processed', api_version: '2025-01-27.acacia' });
  });

  it('fails, without applying anything, an event whose fields do not parse, answers it as failed (no hopeless retries); a fixed redelivery then applies it', async () => {
    const delivery = stripeEvent('customer.subscription.created', scenario, { api_version: '2099-01-01.future' });
    const broken = structuredClone(delivery.event);
    (broken.data.object as unknown as { items: unknown }).items = { data: [{ price: 'gone' }] };
    expect(await processStripeEvent({ event: broken, payload: JSON.stringify(broken) })).toEqual({
      status: 'failed',
      userId: null,
      attempt: 1,
    });

    const [failed] = await eventRows(pool, delivery.event.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed?.last_error).toMatch(/customer\.subscription\.created does not carry the fields this handler reads: data\.object\.items/);
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();

    expect(await processStripeEvent({ event: broken, payload: JSON.stringify(broken) })).toEqual({
      status: 'failed',
      userId: null,
      attempt: 2,
    });
    expect((await eventRows(pool, delivery.event.id))[0]?.attempts).toBe(2);

    expect((await processStripeEvent(delivery)).status).toBe('processed');
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ status: 'processed', attempts: 3, last_error: null });
  });

  it.each(['customer.subscription.updated', 'customer.subscription.deleted'] as const)(
    'retries a failed %s under the same rules (the transaction path)',
    async (name) => {
      const delivery = stripeEvent(name, scenario);
      // A failed row, as a database outage during an earlier delivery leaves it.
      await pool.query(
        `INSERT INTO stripe_webhook_events (id, type, status, attempts, last_error) VALUES ($1, $2, 'failed', 1, 'Connection terminated')`,
        [delivery.event.id, name],
      );
      expect(await processStripeEvent(delivery)).toEqual({ status: 'processed', userId: scenario.userId, attempt: 2 });
      expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({
        status: 'processed',
        attempts: 2,
        last_error: null,
        user_id: scenario.userId,
      });
      expect((await subscriptionRow(pool, scenario.subscriptionId))?.status).toBe(
        name === 'customer.subscription.deleted' ? 'canceled' : 'active',
      );
    },
  );

  it('a retried failed event older than the applied state is recorded stale', async () => {
    await processStripeEvent(stripeEvent('customer.subscription.updated', scenario));
    const older = stripeEvent('customer.subscription.updated.past_due', scenario);
    await pool.query(`INSERT INTO stripe_webhook_events (id, type, status, attempts) VALUES ($1, $2, 'failed', 1)`, [
      older.event.id,
      older.event.type,
    ]);
    expect(await processStripeEvent(older)).toEqual({ status: 'stale', userId: scenario.userId, attempt: 2 });
    expect((await eventRows(pool, older.event.id))[0]).toMatchObject({ status: 'processed', note: 'stale', attempts: 2 });
  });

  it('two concurrent redeliveries of a failed event apply it once', async () => {
    const delivery = stripeEvent('customer.subscription.created', scenario);
    await pool.query(`INSERT INTO stripe_webhook_events (id, type, status, attempts) VALUES ($1, $2, 'failed', 1)`, [
      delivery.event.id,
      delivery.event.type,
    ]);
    const results = await Promise.all([processStripeEvent(delivery), processStripeEvent(delivery)]);
    expect(results.map((result) => result.status).sort()).toEqual(['already_processed', 'processed']);
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ status: 'processed', attempts: 2, duplicate_deliveries: 1 });
  });

  it('a redelivery that waited on the row lock while another reopened the failed event is a duplicate, not a second run', async () => {
    const delivery = stripeEvent('customer.subscription.created', scenario);
    await pool.query(`INSERT INTO stripe_webhook_events (id, type, status, attempts, user_id) VALUES ($1, $2, 'failed', 1, $3)`, [
      delivery.event.id,
      delivery.event.type,
      scenario.userId,
    ]);
    // Another delivery holds the failed row and finishes it while this one waits for the lock.
    const other = await pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM stripe_webhook_events WHERE id = $1 FOR UPDATE', [delivery.event.id]);
      const waiting = processStripeEvent(delivery);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await other.query(`UPDATE stripe_webhook_events SET status = 'processed', attempts = 2, last_error = NULL WHERE id = $1`, [
        delivery.event.id,
      ]);
      await other.query('COMMIT');
      expect(await waiting).toEqual({ status: 'already_processed', userId: scenario.userId, attempt: 2 });
    } finally {
      other.release();
    }
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ status: 'processed', attempts: 2, duplicate_deliveries: 1 });
    // Applied by the other delivery only: this one wrote no subscription.
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
  });

  it('clears the user feature cache after commit, also on a duplicate', async () => {
    const store = getCacheStore();
    const delivery = stripeEvent('customer.subscription.created', scenario);
    await store.set(featureCacheKey(scenario.userId), '{"plan":"free"}', 60);
    await processStripeEvent(delivery);
    expect(await store.get(featureCacheKey(scenario.userId))).toBeNull();

    await store.set(featureCacheKey(scenario.userId), '{"plan":"free"}', 60);
    await processStripeEvent(delivery);
    expect(await store.get(featureCacheKey(scenario.userId))).toBeNull();
  });

  it('reports a cache failure after commit, and the redelivery clears the cache', async () => {
    const store = getCacheStore();
    const delivery = stripeEvent('customer.subscription.created', scenario);
    const del = vi.spyOn(store, 'del').mockRejectedValueOnce(new Error('KV unreachable'));
    await expect(processStripeEvent(delivery)).rejects.toThrow(/Could not clear the feature cache/);
    expect((await eventRows(pool, delivery.event.id))[0]?.status).toBe('processed');

    await store.set(featureCacheKey(scenario.userId), '{"plan":"free"}', 60);
    expect((await processStripeEvent(delivery)).status).toBe('already_processed');
    expect(await store.get(featureCacheKey(scenario.userId))).toBeNull();
    del.mockRestore();
  });

  it('applies concurrent duplicates exactly once', async () => {
    const delivery = stripeEvent('customer.subscription.created', scenario);
    const results = await Promise.all(Array.from({ length: 12 }, () => processStripeEvent(delivery)));
    expect(results.filter((result) => result.status === 'processed')).toHaveLength(1);
    expect(results.filter((result) => result.status === 'already_processed')).toHaveLength(11);
    expect((await eventRows(pool, delivery.event.id))[0]?.duplicate_deliveries).toBe(11);
  });
});

/** The delivery with its object changed (a field Stripe would send differently), body re-serialised. */
function changed(
  delivery: { event: Stripe.Event },
  change: (object: Record<string, unknown> & { items: { data: Record<string, unknown>[] } }) => void,
) {
  const event = structuredClone(delivery.event);
  change(event.data.object as unknown as Record<string, unknown> & { items: { data: Record<string, unknown>[] } });
  return { event, payload: JSON.stringify(event) };
}

const billingPeriod = (start: number, end: number) => (object: { items: { data: Record<string, unknown>[] } }) => {
  for (const item of object.items.data) Object.assign(item, { current_period_start: start, current_period_end: end });
};

describe('state only moves forward', () => {
  const T = 1_790_000_000;

  it.each(['subscription first', 'invoice first'])(
    'an older subscription event never sets the period end back after a renewal (%s)',
    async (order) => {
      // The first period, then the renewal invoice for the next one (1795946404-1798538404).
      await processStripeEvent(
        changed(stripeEvent('customer.subscription.created', scenario, { created: T }), billingPeriod(1_792_000_000, 1_795_000_000)),
      );
      const renewal = stripeEvent('invoice.payment_succeeded', scenario, { created: T + 20 });
      const olderUpdate = changed(
        stripeEvent('customer.subscription.updated', scenario, { created: T + 10 }),
        billingPeriod(1_792_000_000, 1_795_000_000),
      );
      for (const delivery of order === 'invoice first' ? [renewal, olderUpdate] : [olderUpdate, renewal])
        await processStripeEvent(delivery);
      expect((await subscriptionRow(pool, scenario.subscriptionId))?.current_period_end?.getTime()).toBe(1798538404 * 1000);
    },
  );

  it.each(['switch first', 'older snapshot first'])(
    'a later period may end earlier (annual to monthly restarts the period), an older one never (%s)',
    async (order) => {
      await processStripeEvent(
        changed(stripeEvent('customer.subscription.created', scenario, { created: T }), billingPeriod(1_780_000_000, 1_811_536_000)),
      );
      const switchToMonthly = changed(
        stripeEvent('customer.subscription.updated', scenario, { created: T + 100 }),
        billingPeriod(1_790_000_000, 1_792_592_000),
      );
      const olderSnapshot = changed(
        stripeEvent('customer.subscription.updated', scenario, { created: T + 50 }),
        billingPeriod(1_780_000_000, 1_811_536_000),
      );
      for (const delivery of order === 'switch first' ? [switchToMonthly, olderSnapshot] : [olderSnapshot, switchToMonthly])
        await processStripeEvent(delivery);
      expect((await subscriptionRow(pool, scenario.subscriptionId))?.current_period_end?.getTime()).toBe(1_792_592_000 * 1000);
    },
  );

  it('ignores the proration lines of an invoice: they span the old period', async () => {
    await processStripeEvent(
      changed(stripeEvent('customer.subscription.updated', scenario, { created: T }), billingPeriod(1_790_000_000, 1_792_592_000)),
    );
    const { event } = stripeEvent('invoice.payment_succeeded', scenario, { created: T + 1 });
    const lines = (
      event.data.object as unknown as {
        lines: { data: Array<{ period: { start: number; end: number }; parent: { subscription_item_details: { proration: boolean } } }> };
      }
    ).lines.data;
    const [line] = lines;
    if (!line) throw new Error('fixture has no invoice line');
    line.period = { start: 1_790_000_000, end: 1_792_592_000 };
    lines.push({
      ...structuredClone(line),
      period: { start: 1_790_000_000, end: 1_811_536_000 },
      parent: { subscription_item_details: { ...line.parent.subscription_item_details, proration: true } },
    });
    await processStripeEvent({ event, payload: JSON.stringify(event) });
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.current_period_end?.getTime()).toBe(1_792_592_000 * 1000);
  });

  it.each(['in order', 'reversed'])('created (incomplete) and updated (active) in the same second end active (%s)', async (order) => {
    const createdIncomplete = stripeEvent('customer.subscription.created', scenario, { created: T, status: 'incomplete' });
    const updatedActive = stripeEvent('customer.subscription.updated', scenario, { created: T, status: 'active' });
    const deliveries = order === 'in order' ? [createdIncomplete, updatedActive] : [updatedActive, createdIncomplete];
    const results = [];
    for (const delivery of deliveries) results.push((await processStripeEvent(delivery)).status);
    expect(results).toEqual(order === 'in order' ? ['processed', 'processed'] : ['processed', 'stale']);
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', is_active: true });
  });

  it('applies a same-second recovery from past_due to active: its previous_attributes name the stored status', async () => {
    await processStripeEvent(stripeEvent('customer.subscription.updated', scenario, { created: T, status: 'past_due' }));
    const recovery = stripeEvent('customer.subscription.updated', scenario, { created: T, status: 'active' });
    (recovery.event.data as { previous_attributes?: Record<string, unknown> }).previous_attributes = { status: 'past_due' };
    expect((await processStripeEvent({ event: recovery.event, payload: JSON.stringify(recovery.event) })).status).toBe('processed');
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', is_active: true });

    // Without previous_attributes the lifecycle order decides: active does not follow past_due.
    const other = freshScenario();
    await processStripeEvent(stripeEvent('customer.subscription.updated', other, { created: T, status: 'past_due' }));
    const bare = stripeEvent('customer.subscription.updated', other, { created: T, status: 'active' });
    delete (bare.event.data as { previous_attributes?: unknown }).previous_attributes;
    expect((await processStripeEvent({ event: bare.event, payload: JSON.stringify(bare.event) })).status).toBe('stale');
  });

  it('keeps when the subscription became past_due, for the grace period, and clears it on recovery', async () => {
    await processStripeEvent(stripeEvent('customer.subscription.updated', scenario, { created: T, status: 'past_due' }));
    await processStripeEvent(stripeEvent('customer.subscription.updated', scenario, { created: T + 3600, status: 'past_due' }));
    expect(((await subscriptionRow(pool, scenario.subscriptionId)) as { past_due_since?: Date })?.past_due_since?.toISOString()).toBe(
      '2026-09-21T14:13:20.000Z',
    );
    await processStripeEvent(stripeEvent('customer.subscription.updated', scenario, { created: T + 7200, status: 'active' }));
    expect(((await subscriptionRow(pool, scenario.subscriptionId)) as { past_due_since?: Date })?.past_due_since).toBeNull();
  });

  it('ends the subscription on customer.subscription.deleted even when its object still says active, and stores cancel_at_period_end', async () => {
    await processStripeEvent(
      changed(stripeEvent('customer.subscription.updated', scenario, { created: T }), (object) => {
        object.cancel_at_period_end = true;
      }),
    );
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({
      status: 'active',
      is_active: true,
      cancel_at_period_end: true,
    });
    await processStripeEvent(stripeEvent('customer.subscription.deleted', scenario, { created: T + 60, status: 'active' }));
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'canceled', is_active: false });
  });
});

describe('older API versions (before and from 2025-03-31.basil)', () => {
  it.each(['acacia', 'basil'] as const)('reads the %s subscription shape: period end, price and user', async (version) => {
    const result = await processStripeEvent(stripeEvent(`customer.subscription.updated.${version}`, scenario));
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({
      status: 'active',
      billing_period: 'annual',
      user_id: scenario.userId,
    });
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.current_period_end?.getTime()).toBe(1828452600 * 1000);
  });

  it.each(['acacia', 'basil'] as const)('reads the %s invoice shape: the subscription it renews and its user', async (version) => {
    await processStripeEvent(changed(stripeEvent('customer.subscription.created', scenario), billingPeriod(1_787_000_000, 1_790_000_000)));
    const result = await processStripeEvent(stripeEvent(`invoice.payment_succeeded.${version}`, scenario));
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.current_period_end?.getTime()).toBe(1798538404 * 1000);
  });
});

describe('no poison', () => {
  it('retries once, instead of parking as failed, two checkouts that move one customer at the same moment', async () => {
    const holder = freshScenario();
    const payers = [freshScenario(), freshScenario()].map((payer) => ({ ...payer, customerId: scenario.customerId }));
    await pool.query('INSERT INTO users (id, stripe_customer_id) VALUES ($1, $2), ($3, NULL), ($4, NULL)', [
      holder.userId,
      scenario.customerId,
      payers[0]?.userId,
      payers[1]?.userId,
    ]);
    // Both statements take their snapshot, then queue on the holder's row: the second one's snapshot
    // misses the first one's link, and its own link hits the unique customer id.
    const lock = await pool.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [holder.userId]);
      const deliveries = payers.map((payer) => stripeEvent('checkout.session.completed', payer));
      const results = Promise.all(deliveries.map((delivery) => processStripeEvent(delivery)));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await lock.query('COMMIT');
      expect((await results).map((result) => result.status)).toEqual(['processed', 'processed']);
      for (const delivery of deliveries)
        expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ status: 'processed', last_error: null });
    } finally {
      lock.release();
    }
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM users WHERE stripe_customer_id = $1', [scenario.customerId]);
    expect(rows).toHaveLength(1);
    expect(payers.map((payer) => payer.userId)).toContain(rows[0]?.id);
  });

  it('records and applies an event whose strings hold \\u0000, which jsonb refuses', async () => {
    const { event: original } = stripeEvent('customer.subscription.created', scenario);
    (original.data.object as unknown as { metadata: Record<string, string> }).metadata.note = 'a\u0000b';
    const payload = JSON.stringify(original);
    expect(payload).toContain('"note":"a\\u0000b"');
    const event = JSON.parse(payload) as Stripe.Event;
    expect(await processStripeEvent({ event, payload })).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    const [row] = await eventRows(pool, event.id);
    expect((row?.payload.data as { object: { metadata: Record<string, string> } }).object.metadata.note).toBe('a\\u0000b');
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.status).toBe('active');
  });

  it('records as failed, with a readable reason and no retry, an event PostgreSQL cannot store the fields of', async () => {
    const delivery = changed(stripeEvent('customer.subscription.created', scenario), (object) => {
      object.metadata = { user_id: 'user\u0000x' };
    });
    expect(await processStripeEvent(delivery)).toEqual({ status: 'failed', userId: null, attempt: 1 });
    const [row] = await eventRows(pool, delivery.event.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row?.last_error).toMatch(/invalid byte sequence for encoding "UTF8": 0x00/);
  });

  it('moves a customer to the user of the latest checkout instead of failing on the unique customer id', async () => {
    const previous = freshScenario();
    await pool.query('INSERT INTO users (id, stripe_customer_id) VALUES ($1, $2), ($3, NULL)', [
      previous.userId,
      scenario.customerId,
      scenario.userId,
    ]);
    const delivery = stripeEvent('checkout.session.completed', scenario);
    expect(await processStripeEvent(delivery)).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    const { rows } = await pool.query<{ id: string; stripe_customer_id: string | null }>(
      'SELECT id, stripe_customer_id FROM users WHERE id = ANY($1) ORDER BY id = $2',
      [[previous.userId, scenario.userId], scenario.userId],
    );
    expect(rows.map((row) => row.stripe_customer_id)).toEqual([null, scenario.customerId]);
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ status: 'processed', note: 'customer_reassigned' });
  });

  it('lets an administrator replay an ignored event once the configuration is fixed; a redelivery does not', async () => {
    const delivery = stripeEvent('customer.subscription.created', scenario, { livemode: true });
    expect((await processStripeEvent(delivery)).status).toBe('ignored');
    expect((await processStripeEvent(delivery)).status).toBe('already_processed');

    const testKey = env.STRIPE_SECRET_KEY;
    env.STRIPE_SECRET_KEY = 'sk_live_configured_later';
    try {
      expect(await processStripeEvent({ ...delivery, source: 'admin' })).toEqual({
        status: 'processed',
        userId: scenario.userId,
        attempt: 2,
      });
    } finally {
      env.STRIPE_SECRET_KEY = testKey;
    }
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ status: 'processed', note: null, attempts: 2 });
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.status).toBe('active');
  });
});

describe('duplicates', () => {
  const duplicatesThisHour = async () =>
    Number(
      (
        await pool.query<{ count: number }>(
          `SELECT COALESCE(sum(count), 0)::int AS count FROM stripe_webhook_duplicates WHERE hour = date_trunc('hour', now())`,
        )
      ).rows[0]?.count,
    );

  it('counts a redelivery per hour for the admin chart; a reconciliation replay is not a delivery', async () => {
    const delivery = stripeEvent('customer.subscription.created', scenario);
    await processStripeEvent(delivery);
    const before = await duplicatesThisHour();
    await processStripeEvent(delivery);
    expect(await duplicatesThisHour()).toBe(before + 1);
    expect(await processStripeEvent({ ...delivery, source: 'reconcile' })).toEqual({
      status: 'already_processed',
      userId: scenario.userId,
      attempt: 1,
    });
    expect((await eventRows(pool, delivery.event.id))[0]?.duplicate_deliveries).toBe(1);
  });
});
