import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { subscriptionRow, testPool } from '../../../tests/support/database';
import { getBillingTimeline } from '../../admin/get-billing-timeline';
import { getFeatures } from '../get-features';
import { LinkSubscriptionError, linkSubscriptionToUser } from './link-subscription-to-user';

const pool = testPool(inject('databaseUrl'));
afterAll(async () => {
  await pool.end();
});

const fresh = (prefix: string) => `${prefix}_${randomUUID().slice(0, 12)}`;

async function unlinkedSubscription(customer: string | null = fresh('cus')): Promise<string> {
  const id = fresh('sub');
  await pool.query(
    "INSERT INTO user_subscriptions (stripe_subscription_id, stripe_customer_id, status, plan, is_active) VALUES ($1, $2, 'active', 'pro', true)",
    [id, customer],
  );
  return id;
}

async function user(email: string, customer: string | null = null): Promise<string> {
  const id = fresh('user');
  await pool.query('INSERT INTO users (id, email, stripe_customer_id) VALUES ($1, $2, $3)', [id, email, customer]);
  return id;
}

describe('linkSubscriptionToUser', () => {
  it('links by user id or e-mail address, gives the user the customer, and records who did it', async () => {
    const customer = fresh('cus');
    const subscription = await unlinkedSubscription(customer);
    const email = `${fresh('someone')}@example.com`;
    const target = await user(email);
    const admin = await user(`${fresh('admin')}@example.com`);

    expect(await linkSubscriptionToUser({ subscriptionId: subscription, user: email.toUpperCase(), actorId: admin })).toEqual({
      userId: target,
      previousUserId: null,
    });
    expect(await subscriptionRow(pool, subscription)).toMatchObject({ user_id: target });
    expect((await pool.query('SELECT stripe_customer_id FROM users WHERE id = $1', [target])).rows[0]).toEqual({
      stripe_customer_id: customer,
    });
    const { rows } = await pool.query(
      'SELECT source, outcome, actor_id, user_id, changes FROM stripe_subscription_changes WHERE stripe_subscription_id = $1',
      [subscription],
    );
    expect(rows).toEqual([
      { source: 'admin', outcome: 'linked', actor_id: admin, user_id: target, changes: { user_id: { stored: null, stripe: target } } },
    ]);

    // The timeline of that user now has the administrator's action, found by e-mail or customer id.
    for (const lookup of [email, customer, target]) {
      const timeline = await getBillingTimeline(lookup);
      expect(timeline.user?.id).toBe(target);
      expect(timeline.subscriptions.map((row) => row.stripeSubscriptionId)).toEqual([subscription]);
      expect(timeline.entries).toMatchObject([
        { source: 'admin', type: 'admin.link', outcome: 'processed', reference: admin, subscriptionId: subscription },
      ]);
      expect(timeline.entries[0]?.detail).toBe(`linked: user_id: ∅ → ${target}`);
    }
  });

  it('leaves a customer another user has where it is, and refuses unknown users and subscriptions', async () => {
    const customer = fresh('cus');
    await user(`${fresh('owner')}@example.com`, customer);
    const subscription = await unlinkedSubscription(customer);
    const target = await user(`${fresh('other')}@example.com`);
    await linkSubscriptionToUser({ subscriptionId: subscription, user: target, actorId: 'admin' });
    expect((await pool.query('SELECT stripe_customer_id FROM users WHERE id = $1', [target])).rows[0]).toEqual({
      stripe_customer_id: null,
    });

    await expect(linkSubscriptionToUser({ subscriptionId: subscription, user: 'nobody@example.com', actorId: 'admin' })).rejects.toThrow(
      LinkSubscriptionError,
    );
    await expect(
      linkSubscriptionToUser({ subscriptionId: subscription, user: 'nobody@example.com', actorId: 'admin' }),
    ).rejects.toMatchObject({ name: 'LinkSubscriptionError', message: 'No user with id or e-mail address nobody@example.com' });
    const missing = fresh('sub');
    await expect(linkSubscriptionToUser({ subscriptionId: missing, user: target, actorId: 'admin' })).rejects.toMatchObject({
      name: 'LinkSubscriptionError',
      message: `No stored subscription ${missing}: run a sync first`,
    });
    expect(await subscriptionRow(pool, subscription)).toMatchObject({ user_id: target });
  });
});

describe('linkSubscriptionToUser and the feature cache', () => {
  it('clears the cached features of the user linked and of the user the subscription leaves', async () => {
    const subscription = await unlinkedSubscription();
    const [before, after] = [await user(`${fresh('before')}@example.com`), await user(`${fresh('after')}@example.com`)];
    await linkSubscriptionToUser({ subscriptionId: subscription, user: before, actorId: 'admin' });
    // Read (and cached) while the subscription is the first user's.
    expect((await getFeatures(before)).plan).toBe('pro');
    expect((await getFeatures(after)).plan).toBe('free');

    expect(await linkSubscriptionToUser({ subscriptionId: subscription, user: after, actorId: 'admin' })).toEqual({
      userId: after,
      previousUserId: before,
    });
    expect((await getFeatures(after)).plan).toBe('pro');
    expect((await getFeatures(before)).plan).toBe('free');
  });
});

describe('getBillingTimeline', () => {
  it('finds nothing for a look-up that names nobody', async () => {
    expect(await getBillingTimeline(fresh('nobody'))).toEqual({ user: null, subscriptions: [], entries: [] });
  });

  it('orders events and changes, with each outcome', async () => {
    const owner = await user(`${fresh('t')}@example.com`);
    const subscription = fresh('sub');
    await pool.query("INSERT INTO user_subscriptions (stripe_subscription_id, user_id, status, plan) VALUES ($1, $2, 'active', 'pro')", [
      subscription,
      owner,
    ]);
    const event = (id: string, status: string, note: string | null, seconds: number, duplicates = 0) =>
      pool.query(
        `INSERT INTO stripe_webhook_events (id, type, status, note, object_id, user_id, received_at, duplicate_deliveries, payload)
        VALUES ($1, 'customer.subscription.updated', $2, $3, $4, $5, now() - make_interval(secs => $6), $7, $8)`,
        [
          id,
          status,
          note,
          subscription,
          owner,
          seconds,
          duplicates,
          JSON.stringify({ data: { object: { status: 'past_due', items: { data: [{ price: { id: 'price_x' } }] } } } }),
        ],
      );
    const first = fresh('evt');
    const stale = fresh('evt');
    const failed = fresh('evt');
    await event(first, 'processed', null, 300, 2);
    await event(stale, 'processed', 'stale', 200);
    await event(failed, 'failed', null, 100);
    await pool.query(
      `INSERT INTO stripe_subscription_changes (stripe_subscription_id, user_id, source, outcome, changes, run_id, created_at)
      VALUES ($1, $2, 'sync', 'updated', $3, 'run_1', now() - interval '150 seconds')`,
      [subscription, owner, JSON.stringify({ status: { stored: 'past_due', stripe: 'active' } })],
    );

    const { entries } = await getBillingTimeline(owner);
    expect(entries.map((entry) => [entry.reference, entry.outcome])).toEqual([
      [first, 'processed'],
      [first, 'duplicate'],
      [stale, 'stale'],
      ['run_1', 'processed'],
      [failed, 'failed'],
    ]);
    expect(entries[0]?.detail).toContain('status past_due · price price_x');
    expect(entries[3]?.detail).toBe('updated: status: past_due → active');
  });

  it("shows a subscription's events from before it was linked, and no other user's or subscription's events", async () => {
    const owner = await user(`${fresh('t')}@example.com`);
    const other = await user(`${fresh('o')}@example.com`);
    const subscription = await unlinkedSubscription();
    const event = (id: string, objectId: string, userId: string | null, seconds: number) =>
      pool.query(
        `INSERT INTO stripe_webhook_events (id, type, status, object_id, user_id, received_at, payload)
        VALUES ($1, 'customer.subscription.updated', 'processed', $2, $3, now() - make_interval(secs => $4), '{}')`,
        [id, objectId, userId, seconds],
      );
    const beforeLink = fresh('evt');
    const invoice = fresh('evt');
    await event(beforeLink, subscription, null, 300);
    await event(invoice, fresh('in'), owner, 200);
    await event(fresh('evt'), fresh('sub'), null, 150);
    await event(fresh('evt'), fresh('sub'), other, 100);
    await linkSubscriptionToUser({ subscriptionId: subscription, user: owner, actorId: 'admin' });

    const { entries } = await getBillingTimeline(owner);
    expect(entries.filter((entry) => entry.source === 'event').map((entry) => entry.reference)).toEqual([beforeLink, invoice]);
  });
});
