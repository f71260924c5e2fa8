import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { startApp, TEST_WEBHOOK_SECRETS, type AppServer } from '../support/app-server';
import { eventRows, subscriptionRow, testPool } from '../support/database';
import { deliver } from '../support/deliver';
import { startStripeEventsApi, type StripeEventsApi } from '../support/stripe-events-api';
import { eventBody, eventIdOf, type FixtureName, freshScenario, type Scenario } from '../support/stripe-events';

// Reconciliation as an operator and Vercel Cron see it: the production build with a Stripe key,
// its Stripe client pointed (STRIPE_API_URL) at a local double of the Events API.

const ROOT = path.resolve(import.meta.dirname, '../..');
const DAY = 86_400;
const CRON_SECRET = 'cron_secret_for_tests_0123456789';
const STRIPE_KEY = 'sk_test_reconcile_integration';
const [webhookSecret] = TEST_WEBHOOK_SECRETS as [string];
const pool = testPool(inject('databaseUrl'));
const ZERO = { fetched: 0, processed: 0, already_processed: 0, stale: 0, ignored: 0, failed: 0 };

let api: StripeEventsApi;
let app: AppServer;
let second: AppServer;
let withoutKey: AppServer;
beforeAll(async () => {
  api = await startStripeEventsApi({ secretKey: STRIPE_KEY });
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
  await pool.query('DELETE FROM stripe_reconcile_state');
  await pool.query('DELETE FROM stripe_reconcile_runs');
});

async function cron(baseUrl: string, authorization: string | null = `Bearer ${CRON_SECRET}`) {
  const response = await fetch(`${baseUrl}/api/cron/stripe-reconcile`, { headers: authorization ? { authorization } : {} });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const secondsAgo = (seconds: number) => Math.floor(Date.now() / 1000) - seconds;

/** An event Stripe holds (and whose webhook the app never got); returns its body. */
function stripeHas(name: FixtureName, scenario: Scenario, created: number): string {
  const body = eventBody(name, scenario, { created });
  api.add(body);
  return body;
}

function runScript(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'stripe:reconcile', '--', ...args], {
      cwd: ROOT,
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
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('GET /api/cron/stripe-reconcile', () => {
  it('answers 401 without the bearer secret, with a wrong one, and when CRON_SECRET is unset; nothing is listed', async () => {
    for (const authorization of [null, 'Bearer wrong_secret', `Basic ${CRON_SECRET}`, CRON_SECRET, `Bearer ${CRON_SECRET}x`]) {
      const answer = await cron(app.url, authorization);
      expect(answer.status).toBe(401);
      expect(Object.keys(answer.body)).toEqual(['error']);
      expect(JSON.stringify(answer.body)).not.toContain(CRON_SECRET);
    }
    // The shared server has no CRON_SECRET: nobody gets in, whatever they send.
    expect((await cron(inject('appUrl'), 'Bearer ')).status).toBe(401);
    expect((await cron(inject('appUrl'), `Bearer ${CRON_SECRET}`)).status).toBe(401);
    expect(api.requests).toHaveLength(0);
  });

  it('answers 503 with a clear error when no Stripe key is configured', async () => {
    expect(await cron(withoutKey.url)).toEqual({
      status: 503,
      body: { error: "STRIPE_SECRET_KEY is not set: reconciliation reads Stripe's Events API" },
    });
  });

  it('applies the events the webhook missed, once; a second run applies nothing new', async () => {
    const scenario = freshScenario();
    const created = stripeHas('customer.subscription.created', scenario, secondsAgo(3 * 3600));
    const pastDue = stripeHas('customer.subscription.updated.past_due', scenario, secondsAgo(2 * 3600));
    const paid = stripeHas('invoice.payment_succeeded', scenario, secondsAgo(3600));
    stripeHas('customer.created', scenario, secondsAgo(3600)); // a type the app does not handle: not even listed

    expect(await cron(app.url)).toEqual({
      status: 200,
      body: { fetched: 3, processed: 3, already_processed: 0, stale: 0, ignored: 0, failed: 0 },
    });
    for (const body of [created, pastDue, paid]) {
      expect(await eventRows(pool, eventIdOf(body))).toMatchObject([{ status: 'processed', attempts: 1, duplicate_deliveries: 0 }]);
    }
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({
      user_id: scenario.userId,
      status: 'past_due',
      is_active: true,
      plan: 'pro',
    });

    // From the cursor: nothing newer, nothing applied.
    expect(await cron(app.url)).toEqual({ status: 200, body: ZERO });
    // The webhook's late delivery of a reconciled event is a duplicate, as any redelivery.
    expect(await deliver(app.url, paid, { secret: webhookSecret })).toEqual({
      status: 200,
      body: { status: 'already_processed', event_id: eventIdOf(paid) },
    });

    // The script, over the same days again: every event already processed.
    const since = new Date(secondsAgo(DAY) * 1000).toISOString().slice(0, 10);
    const script = await runScript(['--since', since]);
    expect(script.code, script.stderr).toBe(0);
    expect(script.stdout.trim().split('\n').at(-1)).toBe(
      'Stripe reconciliation: fetched 3, processed 0, already_processed 3, stale 0, ignored 0, failed 0',
    );
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'past_due', is_active: true });

    const runs = await pool.query('SELECT status, fetched, processed, already_processed FROM stripe_reconcile_runs ORDER BY started_at');
    expect(runs.rows).toEqual([
      { status: 'completed', fetched: 3, processed: 3, already_processed: 0 },
      { status: 'completed', fetched: 0, processed: 0, already_processed: 0 },
      { status: 'completed', fetched: 3, processed: 0, already_processed: 3 },
    ]);
  });

  it('racing webhook deliveries of the same events: each event applied once', async () => {
    const scenarios = Array.from({ length: 6 }, () => freshScenario());
    const bodies = scenarios.flatMap((scenario) => [
      stripeHas('customer.subscription.created', scenario, secondsAgo(2 * 3600)),
      stripeHas('customer.subscription.updated.past_due', scenario, secondsAgo(3600)),
    ]);
    const [reconciled, ...deliveries] = await Promise.all([
      cron(app.url),
      ...bodies.map((body) => deliver(second.url, body, { secret: webhookSecret })),
    ]);

    expect(reconciled?.status).toBe(200);
    expect(deliveries.every((delivery) => delivery.status === 200)).toBe(true);
    const counts = reconciled?.body as typeof ZERO;
    const webhookProcessed = deliveries.filter(
      (delivery) => delivery.body.status === 'processed' || delivery.body.status === 'stale',
    ).length;
    expect(counts.fetched).toBe(12);
    expect(counts.failed).toBe(0);
    // Every event was applied (or found stale) exactly once, by one side or the other.
    expect(counts.processed + counts.stale + webhookProcessed).toBe(12);
    expect(counts.already_processed + deliveries.filter((delivery) => delivery.body.status === 'already_processed').length).toBe(12);
    for (const body of bodies) expect(await eventRows(pool, eventIdOf(body))).toMatchObject([{ status: 'processed', attempts: 1 }]);
    for (const scenario of scenarios)
      expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'past_due', is_active: true });
  });

  it('two runs at once, on two instances: one does the work, the other says so and does nothing', async () => {
    const scenario = freshScenario();
    const created = stripeHas('customer.subscription.created', scenario, secondsAgo(3600));
    api.hold();
    const first = cron(app.url);
    await vi.waitFor(() => expect(api.listRequests()).toHaveLength(1), { timeout: 10_000 });
    expect(await cron(second.url)).toEqual({
      status: 200,
      body: { ...ZERO, warning: 'Another reconciliation run is in progress; this run did nothing' },
    });
    api.release();
    expect(await first).toEqual({ status: 200, body: { ...ZERO, fetched: 1, processed: 1 } });
    expect(await eventRows(pool, eventIdOf(created))).toMatchObject([{ status: 'processed', attempts: 1 }]);
    expect((await pool.query('SELECT count(*)::int AS runs FROM stripe_reconcile_runs')).rows).toEqual([{ runs: 1 }]);
    // The lease is free again once the run is over.
    expect(await cron(second.url)).toEqual({ status: 200, body: ZERO });
  });

  it('warns when the cursor is older than 25 days', async () => {
    await pool.query("INSERT INTO stripe_reconcile_state (mode, covered_until) VALUES ('test', now() - interval '26 days')");
    expect(await cron(app.url)).toEqual({
      status: 200,
      body: { ...ZERO, warning: 'Cursor is 26 days old: Stripe keeps events for 30 days; run reconciliation before they expire' },
    });
    // Caught up: the next run has nothing to warn about.
    expect(await cron(app.url)).toEqual({ status: 200, body: ZERO });
  });

  it('reports events lost when the cursor is older than 30 days, and applies what Stripe still has', async () => {
    const lost = stripeHas('customer.subscription.created', freshScenario(), secondsAgo(31 * DAY));
    const kept = freshScenario();
    const stillThere = stripeHas('customer.subscription.created', kept, secondsAgo(29 * DAY));
    await pool.query(
      "INSERT INTO stripe_reconcile_state (mode, cursor_event_id, cursor_created_at, covered_until) VALUES ('test', $1, to_timestamp($2), to_timestamp($2))",
      [eventIdOf(lost), secondsAgo(31 * DAY)],
    );
    const answer = await cron(app.url);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ...ZERO, fetched: 1, processed: 1 });
    expect(answer.body.warning).toMatch(
      /^Cursor is 31 days old: Stripe keeps events for 30 days, so events created before \d{4}-\d\d-\d\dT[\d:.]+Z were not reconciled and may be lost$/,
    );
    expect(await eventRows(pool, eventIdOf(stillThere))).toMatchObject([{ status: 'processed' }]);
    expect(await subscriptionRow(pool, kept.subscriptionId)).toMatchObject({ status: 'active' });
    expect(await eventRows(pool, eventIdOf(lost))).toEqual([]);
    const [run] = (await pool.query('SELECT warning FROM stripe_reconcile_runs')).rows as { warning: string }[];
    expect(run?.warning).toBe(answer.body.warning);
  });
});
