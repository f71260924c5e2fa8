import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { startApp, TEST_WEBHOOK_SECRETS, type AppServer } from '../support/app-server';
import { subscriptionRow, testPool } from '../support/database';
import { deliver } from '../support/deliver';
import { eventBody, freshScenario, randomId, type Scenario } from '../support/stripe-events';
import { startStripeSubscriptionsApi, type StripeSubscriptionsApi, type SubscriptionSpec } from '../support/stripe-subscriptions-api';

// Sync as an operator and Vercel Cron see it: the production build with a Stripe key, its Stripe
// client pointed (STRIPE_API_URL) at a local double of Stripe's subscriptions list.

const ROOT = path.resolve(import.meta.dirname, '../..');
const DAY = 86_400;
const CRON_SECRET = 'cron_secret_for_sync_tests_0123456789';
const STRIPE_KEY = 'sk_test_sync_integration';
const [webhookSecret] = TEST_WEBHOOK_SECRETS as [string];
const pool = testPool(inject('databaseUrl'));
const ZERO = { fetched: 0, created: 0, updated: 0, unchanged: 0, drift: 0, unlinked: 0 };
const nowSeconds = () => Math.floor(Date.now() / 1000);

let api: StripeSubscriptionsApi;
let app: AppServer;
let second: AppServer;
let withoutKey: AppServer;
beforeAll(async () => {
  api = await startStripeSubscriptionsApi({ secretKey: STRIPE_KEY });
  const databaseUrl = inject('appDatabaseUrl');
  const env = { ...inject('appDatabaseEnv'), STRIPE_SECRET_KEY: STRIPE_KEY, STRIPE_API_URL: api.url, CRON_SECRET };
  [app, second, withoutKey] = await Promise.all([
    startApp({ databaseUrl, env }),
    startApp({ databaseUrl, env }),
    startApp({ databaseUrl, env: { ...inject('appDatabaseEnv'), CRON_SECRET } }),
  ]);
});
afterAll(async () => {
  await Promise.all([app?.stop(), second?.stop(), withoutKey?.stop()]);
  await api?.close();
  await pool.end();
});
beforeEach(async () => {
  api.reset();
  // Each test adopts a fresh account: what an earlier test stored is not in this one's Stripe.
  await pool.query('DELETE FROM user_subscriptions');
  await pool.query('DELETE FROM stripe_sync_state');
  await pool.query('DELETE FROM stripe_sync_runs');
  await pool.query('DELETE FROM stripe_sync_drift');
});

async function cron(baseUrl: string, authorization: string | null = `Bearer ${CRON_SECRET}`) {
  const response = await fetch(`${baseUrl}/api/cron/stripe-sync`, { headers: authorization ? { authorization } : {} });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function user(customerId: string | null = null): Promise<string> {
  const id = randomId('user');
  await pool.query('INSERT INTO users (id, email, stripe_customer_id) VALUES ($1, $2, $3)', [id, `${id}@example.com`, customerId]);
  return id;
}

async function driftOf(subscriptionId: string) {
  const { rows } = await pool.query<{ field: string; stored: string | null; stripe: string | null }>(
    'SELECT field, stored, stripe FROM stripe_sync_drift WHERE stripe_subscription_id = $1 ORDER BY field',
    [subscriptionId],
  );
  return rows;
}

async function runs() {
  const { rows } = await pool.query<{
    id: string;
    status: string;
    dry_run: boolean;
    fetched: number;
    created: number;
    resumed_from: string | null;
    cursor_subscription_id: string | null;
  }>('SELECT id, status, dry_run, fetched, created, resumed_from, cursor_subscription_id FROM stripe_sync_runs ORDER BY started_at');
  return rows;
}

function script(args: string[], { detached = false } = {}) {
  const child = spawn('npm', ['run', '--silent', 'stripe:sync', '--', ...args], {
    cwd: ROOT,
    detached,
    env: {
      NODE_ENV: 'production',
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: inject('appDatabaseUrl'),
      ...inject('appDatabaseEnv'),
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_API_URL: api.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** The subscription of a fixture scenario, as Stripe's list returns it now. */
function stripeHasScenario(scenario: Scenario, spec: Partial<SubscriptionSpec> = {}) {
  api.add({ id: scenario.subscriptionId, customer: scenario.customerId, metadata: { user_id: scenario.userId }, ...spec });
}

describe('GET /api/cron/stripe-sync', () => {
  it('answers 401 without the bearer secret or with a wrong one, and 503 without a Stripe key; nothing is listed', async () => {
    for (const authorization of [null, 'Bearer wrong_secret', `Basic ${CRON_SECRET}`, CRON_SECRET]) {
      const answer = await cron(app.url, authorization);
      expect(answer.status).toBe(401);
      expect(Object.keys(answer.body)).toEqual(['error']);
      expect(JSON.stringify(answer.body)).not.toContain(CRON_SECRET);
    }
    expect((await cron(inject('appUrl'))).status).toBe(401);
    expect(await cron(withoutKey.url)).toEqual({
      status: 503,
      body: { error: "STRIPE_SECRET_KEY is not set: sync reads Stripe's subscriptions" },
    });
    expect(api.requests).toHaveLength(0);
  });

  it('adopts an account with existing subscribers, linked by metadata and by customer; a second run changes nothing', async () => {
    const byMetadata = await user();
    const customer = randomId('cus');
    const byCustomer = await user(customer);
    const [a, b, c] = [randomId('sub'), randomId('sub'), randomId('sub')];
    api.add(
      { id: a, customer: randomId('cus'), metadata: { user_id: byMetadata } },
      { id: b, customer, status: 'trialing', interval: 'year' },
      // Someone signed up with the customer's e-mail address: never enough to link.
      { id: c, customer: randomId('cus'), status: 'canceled' },
    );

    expect(await cron(app.url)).toEqual({ status: 200, body: { fetched: 3, created: 3, updated: 0, unchanged: 0, drift: 0, unlinked: 1 } });
    expect(await subscriptionRow(pool, a)).toMatchObject({
      user_id: byMetadata,
      status: 'active',
      is_active: true,
      billing_period: 'monthly',
    });
    expect(await subscriptionRow(pool, b)).toMatchObject({
      user_id: byCustomer,
      status: 'trialing',
      is_active: true,
      billing_period: 'annual',
    });
    expect(await subscriptionRow(pool, c)).toMatchObject({ user_id: null, status: 'canceled', is_active: false });
    const [list] = api.listRequests();
    expect(list?.query.get('status')).toBe('all');
    expect(list?.query.get('limit')).toBe('100');
    // The audit trail has what each snapshot created; Stripe's events table is left to Stripe's events.
    const { rows: changes } = await pool.query(
      'SELECT stripe_subscription_id, source, outcome FROM stripe_subscription_changes WHERE stripe_subscription_id = ANY($1) ORDER BY stripe_subscription_id',
      [[a, b, c]],
    );
    expect(changes).toHaveLength(3);
    expect(changes.every((row) => row.source === 'sync' && row.outcome === 'created')).toBe(true);
    expect(
      (await pool.query('SELECT count(*)::int AS n FROM stripe_webhook_events WHERE object_id = ANY($1)', [[a, b, c]])).rows[0]?.n,
    ).toBe(0);

    expect(await cron(second.url)).toEqual({ status: 200, body: { ...ZERO, fetched: 3, unchanged: 3, unlinked: 1 } });
    expect((await runs()).map((run) => [run.status, run.fetched, run.created])).toEqual([
      ['completed', 3, 3],
      ['completed', 3, 0],
    ]);
  });

  it('finds drift in each compared field, lists it stored vs Stripe, and heals it; --dry-run only reports', async () => {
    const owner = await user();
    const ids = {
      status: randomId('sub'),
      price: randomId('sub'),
      period: randomId('sub'),
      cancel: randomId('sub'),
      seats: randomId('sub'),
      trial: randomId('sub'),
    };
    const periodEnd = nowSeconds() + 25 * DAY;
    const trialEnd = nowSeconds() + 5 * DAY;
    for (const id of Object.values(ids))
      api.add({ id, customer: randomId('cus'), metadata: { user_id: owner }, periodEnd, quantity: 3, trialEnd });
    await cron(app.url);
    // A database restored from an old backup: each row misses one change Stripe made since.
    await pool.query("UPDATE user_subscriptions SET last_event_at = last_event_at - interval '30 days' WHERE user_id = $1", [owner]);
    await pool.query("UPDATE user_subscriptions SET status = 'past_due' WHERE stripe_subscription_id = $1", [ids.status]);
    await pool.query("UPDATE user_subscriptions SET stripe_price_id = 'price_from_the_backup' WHERE stripe_subscription_id = $1", [
      ids.price,
    ]);
    await pool.query(
      "UPDATE user_subscriptions SET current_period_end = current_period_end - interval '30 days' WHERE stripe_subscription_id = $1",
      [ids.period],
    );
    await pool.query('UPDATE user_subscriptions SET cancel_at_period_end = true WHERE stripe_subscription_id = $1', [ids.cancel]);
    await pool.query('UPDATE user_subscriptions SET quantity = 1 WHERE stripe_subscription_id = $1', [ids.seats]);
    await pool.query('UPDATE user_subscriptions SET trial_end = NULL WHERE stripe_subscription_id = $1', [ids.trial]);

    const dry = script(['--dry-run']);
    const dryResult = await dry.done;
    expect(dryResult.code, dryResult.stderr).toBe(0);
    expect(dryResult.stdout.trim().split('\n').at(-1)).toBe(
      'Stripe sync (dry run, nothing applied): fetched 6, created 0, updated 6, unchanged 0, drift 6, unlinked 0',
    );
    expect(await subscriptionRow(pool, ids.status)).toMatchObject({ status: 'past_due' });
    expect(await driftOf(ids.status)).toEqual([{ field: 'status', stored: 'past_due', stripe: 'active' }]);
    await pool.query('DELETE FROM stripe_sync_drift');

    expect(await cron(app.url)).toEqual({ status: 200, body: { ...ZERO, fetched: 6, updated: 6, drift: 6 } });
    expect(await driftOf(ids.status)).toEqual([{ field: 'status', stored: 'past_due', stripe: 'active' }]);
    expect(await driftOf(ids.price)).toEqual([
      { field: 'stripe_price_id', stored: 'price_from_the_backup', stripe: 'price_pro_monthly_sync' },
    ]);
    expect((await driftOf(ids.period)).map((row) => row.field)).toEqual(['current_period_end']);
    expect(await driftOf(ids.cancel)).toEqual([{ field: 'cancel_at_period_end', stored: 'true', stripe: 'false' }]);
    expect(await driftOf(ids.seats)).toEqual([{ field: 'quantity', stored: '1', stripe: '3' }]);
    const [trialDrift, ...moreTrialDrift] = await driftOf(ids.trial);
    expect(moreTrialDrift).toEqual([]);
    expect(trialDrift).toMatchObject({ field: 'trial_end', stored: null });
    expect(Date.parse(trialDrift?.stripe ?? '')).toBe(trialEnd * 1000);
    for (const id of Object.values(ids)) {
      const row = await subscriptionRow(pool, id);
      expect(row).toMatchObject({ status: 'active', stripe_price_id: 'price_pro_monthly_sync', cancel_at_period_end: false });
      expect(row?.current_period_end?.getTime()).toBe(periodEnd * 1000);
    }
    const { rows: healed } = await pool.query<{ quantity: number; trial_end: Date | null }>(
      'SELECT quantity, trial_end FROM user_subscriptions WHERE stripe_subscription_id = ANY($1)',
      [Object.values(ids)],
    );
    expect(healed.map((row) => [row.quantity, row.trial_end?.getTime()])).toEqual(Object.values(ids).map(() => [3, trialEnd * 1000]));
    // Healed: the next run finds nothing.
    expect(await cron(app.url)).toEqual({ status: 200, body: { ...ZERO, fetched: 6, unchanged: 6 } });
  });
});

describe('sync racing webhooks', () => {
  const pastDue = (scenario: Scenario, created: number) => eventBody('customer.subscription.updated.past_due', scenario, { created });

  it('an event older than the snapshot arriving after it is stale; a newer one applies', async () => {
    const older = freshScenario();
    const newer = freshScenario();
    stripeHasScenario(older);
    stripeHasScenario(newer);
    await cron(app.url);

    expect((await deliver(app.url, pastDue(older, nowSeconds() - 3600), { secret: webhookSecret })).body).toMatchObject({
      status: 'stale',
    });
    expect(await subscriptionRow(pool, older.subscriptionId)).toMatchObject({ status: 'active' });
    expect((await deliver(app.url, pastDue(newer, nowSeconds() + 60), { secret: webhookSecret })).body).toMatchObject({
      status: 'processed',
    });
    expect(await subscriptionRow(pool, newer.subscriptionId)).toMatchObject({ status: 'past_due' });
  });

  it('a snapshot taken before an applied event is stale; one taken after an older event applies', async () => {
    const older = freshScenario();
    const newer = freshScenario();
    stripeHasScenario(older);
    stripeHasScenario(newer);
    expect((await deliver(app.url, pastDue(older, nowSeconds() - 3600), { secret: webhookSecret })).body).toMatchObject({
      status: 'processed',
    });
    expect((await deliver(app.url, pastDue(newer, nowSeconds() + 60), { secret: webhookSecret })).body).toMatchObject({
      status: 'processed',
    });

    expect(await cron(app.url)).toMatchObject({ status: 200, body: { fetched: 2, updated: 1, unchanged: 1, drift: 1 } });
    expect(await subscriptionRow(pool, older.subscriptionId)).toMatchObject({ status: 'active' });
    expect(await subscriptionRow(pool, newer.subscriptionId)).toMatchObject({ status: 'past_due' });
    const { rows } = await pool.query('SELECT outcome FROM stripe_subscription_changes WHERE stripe_subscription_id = $1', [
      newer.subscriptionId,
    ]);
    expect(rows).toEqual([{ outcome: 'stale' }]);
  });
});

describe('one run at a time, resumable', () => {
  it('tells a second runner on another instance that a run is in progress', async () => {
    api.add({ id: randomId('sub'), customer: randomId('cus') });
    api.hold();
    const first = cron(app.url);
    await vi.waitFor(() => expect(api.listRequests()).toHaveLength(1));
    expect(await cron(second.url)).toEqual({
      status: 200,
      body: { ...ZERO, warning: 'Another sync run is in progress; this run did nothing' },
    });
    api.release();
    expect(await first).toEqual({ status: 200, body: { ...ZERO, fetched: 1, created: 1, unlinked: 1 } });
    expect(await runs()).toHaveLength(1);
  });

  it('continues a run killed midway after the last subscription it applied', async () => {
    const created = nowSeconds() - 100 * DAY;
    const ids = Array.from({ length: 250 }, (_, index) => {
      const id = randomId('sub');
      api.add({ id, customer: randomId('cus'), created: created + index });
      return id;
    });
    api.holdAfter(1);
    const killed = script([], { detached: true });
    await vi.waitFor(async () => expect((await runs())[0]?.cursor_subscription_id).toBe(ids[150]), { timeout: 60_000, interval: 200 });
    await vi.waitFor(() => expect(api.listRequests()).toHaveLength(2), { timeout: 10_000 });
    // A function timeout: the process and its children end at once, the lease is left behind.
    process.kill(-(killed.child.pid ?? 0), 'SIGKILL');
    await killed.done;
    expect(await cron(app.url)).toEqual({
      status: 200,
      body: { ...ZERO, warning: 'Another sync run is in progress; this run did nothing' },
    });
    await pool.query("UPDATE stripe_sync_state SET locked_until = now() - interval '1 second'");
    api.release();

    expect(await cron(app.url)).toEqual({ status: 200, body: { ...ZERO, fetched: 150, created: 150, unlinked: 150 } });
    const [interrupted, resumed] = await runs();
    expect(interrupted).toMatchObject({ status: 'interrupted', fetched: 100, created: 100 });
    expect(resumed).toMatchObject({ status: 'completed', resumed_from: interrupted?.id, cursor_subscription_id: ids[0] });
    expect(
      (await pool.query('SELECT count(*)::int AS n FROM user_subscriptions WHERE stripe_subscription_id = ANY($1)', [ids])).rows[0]?.n,
    ).toBe(250);
    // The next run starts from the newest again.
    expect(await cron(app.url)).toEqual({ status: 200, body: { ...ZERO, fetched: 250, unchanged: 250, unlinked: 250 } });
  });
});
