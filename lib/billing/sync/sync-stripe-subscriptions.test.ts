import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { subscriptionRow, testPool } from '../../../tests/support/database';
import { startStripeSubscriptionsApi, type StripeSubscriptionsApi } from '../../../tests/support/stripe-subscriptions-api';
import { invalidateFeatureCache } from '../../cache/feature-cache';
import { getFeatures } from '../get-features';

// Sync against a real PostgreSQL and the subscriptions double, through the real stripe-node client.

const DAY = 86_400;
const pool = testPool(inject('databaseUrl'));
const nowSeconds = () => Math.floor(Date.now() / 1000);

let api: StripeSubscriptionsApi;
let sync: typeof import('./sync-stripe-subscriptions');
beforeAll(async () => {
  api = await startStripeSubscriptionsApi({ secretKey: 'sk_test_sync_unit' });
  vi.resetModules();
  vi.stubEnv('STRIPE_SECRET_KEY', api.secretKey);
  vi.stubEnv('STRIPE_API_URL', api.url);
  delete (globalThis as { stripe?: unknown }).stripe;
  sync = await import('./sync-stripe-subscriptions');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  delete (globalThis as { stripe?: unknown }).stripe;
  await api.close();
  await pool.end();
});
beforeEach(async () => {
  api.reset();
  await pool.query('DELETE FROM stripe_sync_state');
  await pool.query('DELETE FROM stripe_sync_runs');
  await pool.query('DELETE FROM stripe_sync_drift');
});

const fresh = (prefix: string) => `${prefix}_${randomUUID().slice(0, 12)}`;

async function user(customerId: string | null = null): Promise<string> {
  const id = fresh('user');
  await pool.query('INSERT INTO users (id, email, stripe_customer_id) VALUES ($1, $2, $3)', [id, `${id}@example.com`, customerId]);
  return id;
}

/** The JSON lines the logger wrote to `stream` while `run` ran (console.log: info; console.error: warn and error). */
async function logsOf<T>(stream: 'log' | 'error', run: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const spy = vi.spyOn(console, stream).mockImplementation(() => {});
  try {
    const result = await run();
    return { result, lines: spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>) };
  } finally {
    spy.mockRestore();
  }
}

async function driftOf(subscriptionId: string) {
  const { rows } = await pool.query<{ field: string; stored: string | null; stripe: string | null }>(
    'SELECT field, stored, stripe FROM stripe_sync_drift WHERE stripe_subscription_id = $1 ORDER BY field',
    [subscriptionId],
  );
  return rows;
}

describe('syncStripeSubscriptions', () => {
  it('adopts every subscription, whatever its status, linked by metadata or by customer; a second run changes nothing', async () => {
    const byMetadata = await user();
    const customer = fresh('cus');
    const byCustomer = await user(customer);
    const [a, b, c, d] = [fresh('sub'), fresh('sub'), fresh('sub'), fresh('sub')];
    api.add(
      { id: a, customer: fresh('cus'), metadata: { user_id: byMetadata } },
      { id: b, customer, status: 'past_due' },
      { id: c, customer: fresh('cus'), status: 'canceled', metadata: { user_id: 'user_who_does_not_exist' } },
      { id: d, customer: fresh('cus'), status: 'trialing' },
    );

    const first = await logsOf('log', () => sync.syncStripeSubscriptions());
    expect(first.result).toEqual({ fetched: 4, created: 4, updated: 0, unchanged: 0, drift: 0, unlinked: 2 });
    expect(first.lines.filter((line) => line.msg === 'Sync finished')).toEqual([
      expect.objectContaining({
        level: 'info',
        mode: 'test',
        dry_run: false,
        fetched: 4,
        created: 4,
        updated: 0,
        unchanged: 0,
        drift: 0,
        unlinked: 2,
        failed: 0,
      }),
    ]);
    expect(await subscriptionRow(pool, a)).toMatchObject({ user_id: byMetadata, status: 'active', is_active: true });
    expect(await subscriptionRow(pool, b)).toMatchObject({ user_id: byCustomer, status: 'past_due' });
    // A metadata user id naming nobody links nothing.
    expect(await subscriptionRow(pool, c)).toMatchObject({ user_id: null, status: 'canceled', is_active: false });
    const { getSyncStatus } = await import('./get-sync-status');
    const { unlinked, unlinkedTotal } = await getSyncStatus();
    expect(unlinked).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stripeSubscriptionId: d, status: 'trialing', stripePriceId: 'price_pro_monthly_sync' }),
      ]),
    );
    expect(unlinkedTotal).toBeGreaterThanOrEqual(2);
    expect(api.listRequests()[0]?.query.get('status')).toBe('all');
    expect(api.listRequests()[0]?.query.get('limit')).toBe('100');

    expect(await sync.syncStripeSubscriptions()).toEqual({ fetched: 4, created: 0, updated: 0, unchanged: 4, drift: 0, unlinked: 2 });
    const { rows: runs } = await pool.query(
      'SELECT status, dry_run, fetched, created, unchanged FROM stripe_sync_runs ORDER BY started_at',
    );
    expect(runs).toEqual([
      { status: 'completed', dry_run: false, fetched: 4, created: 4, unchanged: 0 },
      { status: 'completed', dry_run: false, fetched: 4, created: 0, unchanged: 4 },
    ]);
  });

  it('records each drifted field, stored vs Stripe, and heals it; --dry-run only reports', async () => {
    const owner = await user();
    const id = fresh('sub');
    const periodEnd = nowSeconds() + 20 * DAY;
    api.add({ id, customer: fresh('cus'), metadata: { user_id: owner }, periodEnd });
    await sync.syncStripeSubscriptions();
    await pool.query(
      `UPDATE user_subscriptions SET status = 'past_due', stripe_price_id = 'price_old', current_period_end = now() - interval '40 days', cancel_at_period_end = true,
        last_event_at = last_event_at - interval '1 hour' WHERE stripe_subscription_id = $1`,
      [id],
    );

    const dry = await sync.syncStripeSubscriptions({ dryRun: true });
    // The counts say what a run would do; nothing is applied.
    expect(dry).toMatchObject({ fetched: 1, updated: 1, drift: 1 });
    expect(await subscriptionRow(pool, id)).toMatchObject({ stripe_price_id: 'price_old', cancel_at_period_end: true });
    expect((await driftOf(id)).map((row) => row.field)).toEqual([
      'cancel_at_period_end',
      'current_period_end',
      'status',
      'stripe_price_id',
    ]);
    await pool.query('DELETE FROM stripe_sync_drift');

    expect(await sync.syncStripeSubscriptions()).toMatchObject({ fetched: 1, updated: 1, drift: 1 });
    expect(await driftOf(id)).toEqual(
      expect.arrayContaining([
        { field: 'stripe_price_id', stored: 'price_old', stripe: 'price_pro_monthly_sync' },
        { field: 'cancel_at_period_end', stored: 'true', stripe: 'false' },
        { field: 'status', stored: 'past_due', stripe: 'active' },
      ]),
    );
    expect(await subscriptionRow(pool, id)).toMatchObject({
      status: 'active',
      stripe_price_id: 'price_pro_monthly_sync',
      cancel_at_period_end: false,
    });
    expect((await subscriptionRow(pool, id))?.current_period_end?.getTime()).toBe(periodEnd * 1000);
    // The admin page: the last run with its counts and its drift rows.
    const { getSyncStatus } = await import('./get-sync-status');
    const status = await getSyncStatus();
    expect(status.lastRun).toMatchObject({
      status: 'completed',
      dryRun: false,
      fetched: 1,
      updated: 1,
      drift: 1,
      unlinked: 0,
      failed: 0,
      error: null,
    });
    expect(status.drift).toEqual(
      expect.arrayContaining([{ stripeSubscriptionId: id, userId: owner, field: 'status', stored: 'past_due', stripe: 'active' }]),
    );
    expect(status.drift).toHaveLength(4);
    expect(status.unlinked.some((row) => row.stripeSubscriptionId === id)).toBe(false);

    await pool.query('DELETE FROM stripe_sync_drift');
    expect(await sync.syncStripeSubscriptions()).toMatchObject({ fetched: 1, unchanged: 1, drift: 0 });
    expect((await getSyncStatus()).drift).toEqual([]);
  });

  it('records drift in seats, trial end and plan, stored vs Stripe, and heals it; --dry-run only reports', async () => {
    const owner = await user();
    const id = fresh('sub');
    const trialEnd = nowSeconds() + 7 * DAY;
    api.add({ id, customer: fresh('cus'), metadata: { user_id: owner }, status: 'trialing', quantity: 5, trialEnd });
    await sync.syncStripeSubscriptions();
    expect(await subscriptionRow(pool, id)).toMatchObject({ plan: 'pro' });
    await pool.query(
      `UPDATE user_subscriptions SET quantity = 2, trial_end = now() - interval '3 days', plan = 'free',
        last_event_at = last_event_at - interval '1 hour' WHERE stripe_subscription_id = $1`,
      [id],
    );

    expect(await sync.syncStripeSubscriptions({ dryRun: true })).toMatchObject({ fetched: 1, updated: 1, drift: 1 });
    expect(await subscriptionRow(pool, id)).toMatchObject({ plan: 'free' });
    expect((await driftOf(id)).map((row) => row.field)).toEqual(['plan', 'quantity', 'trial_end']);
    await pool.query('DELETE FROM stripe_sync_drift');

    expect(await sync.syncStripeSubscriptions()).toMatchObject({ fetched: 1, updated: 1, drift: 1 });
    const drift = await driftOf(id);
    expect(drift.filter((row) => row.field !== 'trial_end')).toEqual([
      { field: 'plan', stored: 'free', stripe: 'pro' },
      { field: 'quantity', stored: '2', stripe: '5' },
    ]);
    const trial = drift.find((row) => row.field === 'trial_end');
    expect(Date.parse(trial?.stored ?? '')).toBeLessThan(Date.now());
    expect(Date.parse(trial?.stripe ?? '')).toBe(trialEnd * 1000);
    const {
      rows: [healed],
    } = await pool.query<{ quantity: number; plan: string; status: string; trial_end: Date | null }>(
      'SELECT quantity, plan, status, trial_end FROM user_subscriptions WHERE stripe_subscription_id = $1',
      [id],
    );
    expect(healed).toMatchObject({ quantity: 5, plan: 'pro', status: 'trialing' });
    expect(healed?.trial_end?.getTime()).toBe(trialEnd * 1000);

    await pool.query('DELETE FROM stripe_sync_drift');
    expect(await sync.syncStripeSubscriptions()).toMatchObject({ fetched: 1, unchanged: 1, drift: 0 });
  });

  it('records what each snapshot changed in the audit trail, with its run and time; unchanged and dry runs record nothing', async () => {
    const owner = await user();
    const id = fresh('sub');
    api.add({ id, customer: fresh('cus'), metadata: { user_id: owner } });
    const changes = async () =>
      (
        await pool.query<{ outcome: string; observed_at: Date }>(
          `SELECT source, outcome, user_id, note, changes, run_id, observed_at FROM stripe_subscription_changes
           WHERE stripe_subscription_id = $1 ORDER BY id`,
          [id],
        )
      ).rows;
    const lastRunId = async () =>
      (await pool.query<{ id: string }>('SELECT id FROM stripe_sync_runs ORDER BY started_at DESC LIMIT 1')).rows[0]?.id;

    expect(await sync.syncStripeSubscriptions({ dryRun: true })).toMatchObject({ created: 1 });
    expect(await changes()).toEqual([]);

    const before = Date.now() - 1_000;
    expect((await getFeatures(owner)).plan).toBe('free');
    expect(await sync.syncStripeSubscriptions()).toMatchObject({ created: 1 });
    // The user's cached features were cleared: the new subscription shows at once.
    expect((await getFeatures(owner)).plan).toBe('pro');
    const created = await lastRunId();
    await pool.query(
      `UPDATE user_subscriptions SET status = 'past_due', user_id = NULL, last_event_at = last_event_at - interval '1 hour'
       WHERE stripe_subscription_id = $1`,
      [id],
    );
    // Read (and cached) while the row names nobody: the owner has no subscription.
    await invalidateFeatureCache(owner);
    expect((await getFeatures(owner)).plan).toBe('free');
    expect(await sync.syncStripeSubscriptions()).toMatchObject({ updated: 1, drift: 1 });
    expect((await getFeatures(owner)).plan).toBe('pro');
    const updated = await lastRunId();
    expect(await sync.syncStripeSubscriptions()).toMatchObject({ unchanged: 1 });
    // A newer event has been applied meanwhile: the snapshot is stale, and says so.
    await pool.query(
      `UPDATE user_subscriptions SET status = 'past_due', last_event_at = now() + interval '1 hour' WHERE stripe_subscription_id = $1`,
      [id],
    );
    expect(await sync.syncStripeSubscriptions()).toMatchObject({ unchanged: 1, drift: 0 });
    const stale = await lastRunId();

    const rows = await changes();
    expect(rows).toEqual([
      {
        source: 'sync',
        outcome: 'created',
        user_id: owner,
        note: null,
        changes: expect.objectContaining({
          status: { stored: null, stripe: 'active' },
          plan: { stored: null, stripe: 'pro' },
          quantity: { stored: null, stripe: '1' },
          user_id: { stored: null, stripe: owner },
        }),
        run_id: created,
        observed_at: expect.any(Date),
      },
      {
        source: 'sync',
        outcome: 'updated',
        user_id: owner,
        note: null,
        changes: { status: { stored: 'past_due', stripe: 'active' }, user_id: { stored: null, stripe: owner } },
        run_id: updated,
        observed_at: expect.any(Date),
      },
      { source: 'sync', outcome: 'stale', user_id: owner, note: 'stale', changes: {}, run_id: stale, observed_at: expect.any(Date) },
    ]);
    for (const row of rows) {
      expect(row.observed_at.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(row.observed_at.getTime()).toBeLessThanOrEqual(Date.now());
    }
  });

  it('shows a terminal stored status Stripe contradicts as drift, and does not revive it', async () => {
    const id = fresh('sub');
    api.add({ id, customer: fresh('cus') });
    await sync.syncStripeSubscriptions();
    await pool.query(`UPDATE user_subscriptions SET status = 'canceled', is_active = false WHERE stripe_subscription_id = $1`, [id]);

    expect(await sync.syncStripeSubscriptions()).toMatchObject({ fetched: 1, updated: 0, unchanged: 1, drift: 1 });
    expect(await driftOf(id)).toEqual([{ field: 'status', stored: 'canceled', stripe: 'active' }]);
    expect(await subscriptionRow(pool, id)).toMatchObject({ status: 'canceled', is_active: false });
  });

  it('tells a second runner that a run is in progress, and lets nobody in twice', async () => {
    api.add({ id: fresh('sub'), customer: fresh('cus') });
    api.hold();
    const first = sync.syncStripeSubscriptions();
    await vi.waitFor(() => expect(api.listRequests()).toHaveLength(1));
    const second = await logsOf('error', () => sync.syncStripeSubscriptions());
    expect(second.result).toEqual({
      fetched: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      drift: 0,
      unlinked: 0,
      warning: 'Another sync run is in progress; this run did nothing',
    });
    expect(second.lines).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'Sync skipped', mode: 'test', reason: 'already_running' }),
    ]);
    expect(api.listRequests()).toHaveLength(1);
    api.release();
    expect(await first).toMatchObject({ fetched: 1, created: 1 });
  });

  it('continues after the cursor of a run that stopped part-way, and marks that run interrupted', async () => {
    const ids = Array.from({ length: 5 }, (_, index) => fresh(`sub${index}`));
    ids.forEach((id, index) => api.add({ id, customer: fresh('cus'), created: nowSeconds() - DAY + index }));
    // Newest first: ids[4] .. ids[0]. The killed run applied ids[4] and ids[3].
    const {
      rows: [killed],
    } = await pool.query<{ id: string }>(
      "INSERT INTO stripe_sync_runs (mode, status, fetched, created, cursor_subscription_id) VALUES ('test', 'running', 2, 2, $1) RETURNING id",
      [ids[3]],
    );
    // A dry run neither continues it nor is continued.
    expect(await sync.syncStripeSubscriptions({ dryRun: true })).toMatchObject({ fetched: 5 });

    expect(await sync.syncStripeSubscriptions()).toMatchObject({ fetched: 3, created: 3 });
    expect(api.listRequests().at(-1)?.query.get('starting_after')).toBe(ids[3]);
    const { rows } = await pool.query(
      'SELECT status, dry_run, resumed_from, cursor_subscription_id FROM stripe_sync_runs ORDER BY started_at',
    );
    expect(rows).toEqual([
      { status: 'interrupted', dry_run: false, resumed_from: null, cursor_subscription_id: ids[3] },
      { status: 'completed', dry_run: true, resumed_from: null, cursor_subscription_id: null },
      { status: 'completed', dry_run: false, resumed_from: killed?.id, cursor_subscription_id: ids[0] },
    ]);
    // Completed: the next run lists from the newest again.
    expect(await sync.syncStripeSubscriptions()).toMatchObject({ fetched: 5, created: 2, unchanged: 3 });
    expect(api.listRequests().at(-1)?.query.has('starting_after')).toBe(false);
  });

  it('does not continue a stopped run once a later run has completed', async () => {
    api.add({ id: fresh('sub'), customer: fresh('cus') });
    await pool.query(
      `INSERT INTO stripe_sync_runs (mode, status, started_at, cursor_subscription_id) VALUES ('test', 'running', now() - interval '2 hours', 'sub_stopped'),
        ('test', 'completed', now() - interval '1 hour', 'sub_completed')`,
    );
    expect(await sync.syncStripeSubscriptions()).toMatchObject({ fetched: 1, created: 1 });
    expect(api.listRequests().at(-1)?.query.has('starting_after')).toBe(false);
    const { rows } = await pool.query("SELECT status, resumed_from FROM stripe_sync_runs WHERE cursor_subscription_id = 'sub_stopped'");
    expect(rows).toEqual([{ status: 'running', resumed_from: null }]);
  });

  it('skips a subscription whose fields cannot be read, counts it, and applies the rest', async () => {
    const [bad, good] = [fresh('sub'), fresh('sub')];
    api.add({ id: bad, customer: fresh('cus') }, { id: good, customer: fresh('cus') });
    api.update(bad, (object) => Object.assign(object, { cancel_at_period_end: 'maybe' }));
    const skipped = await logsOf('error', () => sync.syncStripeSubscriptions());
    expect(skipped.result).toEqual({ fetched: 2, created: 1, updated: 0, unchanged: 0, drift: 0, unlinked: 1 });
    expect(skipped.lines).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'Sync skipped a subscription',
        subscription_id: bad,
        error: expect.stringMatching(/subscription\.sync.*cancel_at_period_end/),
      }),
    ]);
    expect(await subscriptionRow(pool, bad)).toBeUndefined();
    const { rows } = await pool.query('SELECT status, fetched, created, failed, cursor_subscription_id FROM stripe_sync_runs');
    expect(rows).toEqual([{ status: 'completed', fetched: 2, created: 1, failed: 1, cursor_subscription_id: good }]);
  });

  it('stops when Stripe fails, records why, and frees the lease', async () => {
    api.add({ id: fresh('sub'), customer: fresh('cus') });
    // The client retries twice, as stripe-node does with maxNetworkRetries: 2.
    api.failNext(3);
    await expect(sync.syncStripeSubscriptions()).rejects.toThrow(/^Sync stopped: /);
    const { rows } = await pool.query('SELECT status, error, finished_at IS NOT NULL AS finished FROM stripe_sync_runs');
    expect(rows).toMatchObject([{ status: 'failed', finished: true }]);
    expect(rows[0]?.error).toMatch(/unknown error/i);
    expect(await sync.syncStripeSubscriptions()).toMatchObject({ fetched: 1, created: 1 });
  });

  it('stops without committing a snapshot once another run has taken the lease', async () => {
    const ids = Array.from({ length: 101 }, (_, index) => fresh(`sub${index}`));
    ids.forEach((id, index) => api.add({ id, customer: fresh('cus'), created: nowSeconds() - DAY + index }));
    api.holdAfter(1);
    const run = sync.syncStripeSubscriptions();
    await vi.waitFor(() => expect(api.listRequests()).toHaveLength(2), { timeout: 15_000 });
    await pool.query("UPDATE stripe_sync_state SET lock_token = 'another_run'");
    api.release();
    await expect(run).rejects.toMatchObject({
      name: 'SyncRunError',
      message: 'Sync stopped: Sync lease lost (no progress saved for 120 s); another run took over',
      cause: { name: 'SyncLeaseLostError' },
    });
    expect(await subscriptionRow(pool, ids[0] ?? '')).toBeUndefined();
    const { rows } = await pool.query('SELECT status, fetched FROM stripe_sync_runs');
    expect(rows).toEqual([{ status: 'failed', fetched: 100 }]);
    // The lease is the other run's: this one did not release it.
    expect((await pool.query('SELECT lock_token FROM stripe_sync_state')).rows).toEqual([{ lock_token: 'another_run' }]);
  });
});

describe('syncStripeSubscriptions without a Stripe key', () => {
  it('refuses to run, saying which variable is missing, and records no run', async () => {
    (globalThis as { stripe?: unknown }).stripe = null;
    try {
      await expect(sync.syncStripeSubscriptions()).rejects.toMatchObject({
        name: 'SyncConfigurationError',
        message: "STRIPE_SECRET_KEY is not set: sync reads Stripe's subscriptions",
      });
    } finally {
      delete (globalThis as { stripe?: unknown }).stripe;
    }
    expect((await pool.query('SELECT count(*)::int AS runs FROM stripe_sync_runs')).rows).toEqual([{ runs: 0 }]);
  });
});

describe('getSyncStatus', () => {
  it('shows the last run of this mode with its drift rows in order, and the unlinked subscriptions, last changed first', async () => {
    const { getSyncStatus } = await import('./get-sync-status');
    expect(await getSyncStatus()).toMatchObject({ lastRun: null, drift: [] });
    const {
      rows: [older],
    } = await pool.query<{ id: string }>(
      "INSERT INTO stripe_sync_runs (mode, started_at, status) VALUES ('test', now() - interval '2 hours', 'completed') RETURNING id",
    );
    const {
      rows: [last],
    } = await pool.query<{ id: string; started_at: Date; finished_at: Date }>(
      `INSERT INTO stripe_sync_runs (mode, started_at, finished_at, status, dry_run, fetched, created, updated, unchanged, drift, unlinked, failed, resumed_from, error)
       VALUES ('test', now() - interval '1 hour', now() - interval '59 minutes', 'failed', true, 21, 1, 2, 3, 4, 5, 6, $1, 'Stripe unreachable')
       RETURNING id, started_at, finished_at`,
      [older?.id],
    );
    await pool.query("INSERT INTO stripe_sync_runs (mode, status) VALUES ('live', 'completed')");
    await pool.query(
      `INSERT INTO stripe_sync_drift (run_id, stripe_subscription_id, user_id, field, stored, stripe)
       VALUES ($1, 'sub_of_older_run', NULL, 'status', 'active', 'canceled'), ($2, 'sub_z', 'user_z', 'status', 'past_due', 'active'),
         ($2, 'sub_a', NULL, 'plan', 'free', 'pro')`,
      [older?.id, last?.id],
    );
    const [earlier, later, linked] = [fresh('sub'), fresh('sub'), fresh('sub')];
    const owner = await user();
    // Changed in the future: first in the list whatever other tests store meanwhile.
    await pool.query(
      `INSERT INTO user_subscriptions (stripe_subscription_id, stripe_customer_id, user_id, status, plan, stripe_price_id, is_active, updated_at)
       VALUES ($1, 'cus_earlier', NULL, 'active', 'pro', 'price_earlier', true, now() + interval '1 day'),
         ($2, NULL, NULL, 'trialing', 'team', NULL, true, now() + interval '2 days'),
         ($3, 'cus_linked', $4, 'active', 'pro', 'price_linked', true, now() + interval '3 days')`,
      [earlier, later, linked, owner],
    );

    const status = await getSyncStatus();
    expect(status.lastRun).toEqual({
      id: last?.id,
      startedAt: last?.started_at,
      finishedAt: last?.finished_at,
      status: 'failed',
      dryRun: true,
      error: 'Stripe unreachable',
      resumedFrom: older?.id,
      fetched: 21,
      created: 1,
      updated: 2,
      unchanged: 3,
      drift: 4,
      unlinked: 5,
      failed: 6,
    });
    expect(status.drift).toEqual([
      { stripeSubscriptionId: 'sub_z', userId: 'user_z', field: 'status', stored: 'past_due', stripe: 'active' },
      { stripeSubscriptionId: 'sub_a', userId: null, field: 'plan', stored: 'free', stripe: 'pro' },
    ]);
    expect(status.unlinked.slice(0, 2)).toEqual([
      { stripeSubscriptionId: later, stripeCustomerId: null, status: 'trialing', plan: 'team', stripePriceId: null },
      { stripeSubscriptionId: earlier, stripeCustomerId: 'cus_earlier', status: 'active', plan: 'pro', stripePriceId: 'price_earlier' },
    ]);
    expect(status.unlinked.some((row) => row.stripeSubscriptionId === linked)).toBe(false);
    const { rows: counts } = await pool.query<{ total: number }>('SELECT count(*)::int AS total FROM user_subscriptions');
    expect(status.unlinkedTotal).toBeGreaterThanOrEqual(2);
    expect(status.unlinkedTotal).toBeLessThan(counts[0]?.total ?? 0);
  });
});

describe('stripe_sync_runs.status', () => {
  it('takes exactly the run statuses the code writes', async () => {
    const { SYNC_RUN_STATUSES } = await import('./sync-statuses');
    for (const status of SYNC_RUN_STATUSES) await pool.query('INSERT INTO stripe_sync_runs (status) VALUES ($1)', [status]);
    await expect(pool.query("INSERT INTO stripe_sync_runs (status) VALUES ('paused')")).rejects.toThrow(/stripe_sync_runs_status_check/);
  });
});

describe('listStripeSubscriptions', () => {
  it('pages through every subscription, newest first, each page stamped with the time before its request', async () => {
    const ids = Array.from({ length: 201 }, (_, index) => fresh(`sub${index}`));
    ids.forEach((id, index) =>
      api.add({ id, customer: fresh('cus'), status: index === 0 ? 'canceled' : 'active', created: nowSeconds() - DAY + index }),
    );
    const { listStripeSubscriptions } = await import('./list-stripe-subscriptions');
    let clock = 1_000_000;
    const pages = [];
    for await (const page of listStripeSubscriptions({ stripe: api.client(), now: () => (clock += 1_000) })) pages.push(page);
    expect(pages.map((page) => [page.subscriptions.length, page.observedAt])).toEqual([
      [100, 1_001],
      [100, 1_002],
      [1, 1_003],
    ]);
    expect(pages.flatMap((page) => page.subscriptions.map((subscription) => subscription.id))).toEqual([...ids].reverse());
    expect(api.listRequests().map((request) => request.query.get('starting_after'))).toEqual([null, ids[101], ids[1]]);

    api.reset();
    const none = [];
    for await (const page of listStripeSubscriptions({ stripe: api.client() })) none.push(page);
    expect(none).toEqual([]);
    ids.forEach((id, index) => api.add({ id, customer: fresh('cus'), created: nowSeconds() - DAY + index }));

    const after = [];
    for await (const page of listStripeSubscriptions({ stripe: api.client(), startingAfter: ids[1] }))
      after.push(...page.subscriptions.map((subscription) => subscription.id));
    expect(after).toEqual([ids[0]]);
  });
});
