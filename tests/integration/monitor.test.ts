import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { HANDLED_EVENT_TYPES } from '../../lib/billing/webhook/handlers';
import { startAlertReceiver } from '../support/alert-receiver';
import { startApp, TEST_WEBHOOK_SECRETS, type AppServer } from '../support/app-server';
import { testPool } from '../support/database';
import { deliver } from '../support/deliver';
import { startStripeApiDouble } from '../support/stripe-api-double';
import { eventBody, freshScenario, randomId } from '../support/stripe-events';

// Monitoring as Prometheus, an alert channel and Vercel Cron see it: the production build with a
// metrics token, a cron secret, a local alert receiver and the Stripe API double (webhook endpoints).

const CRON_SECRET = 'cron_secret_for_monitor_tests_0123';
const METRICS_TOKEN = 'metrics_token_for_tests_0123456789';
const APP_URL = 'https://billing.example.com';
// The app's allowlist: the endpoint the monitor expects listens to exactly these.
const HANDLED = [...HANDLED_EVENT_TYPES];
const [webhookSecret] = TEST_WEBHOOK_SECRETS as [string];
const pool = testPool(inject('databaseUrl'));

let app: AppServer;
let receiver: Awaited<ReturnType<typeof startAlertReceiver>>;
let stripeApi: Awaited<ReturnType<typeof startStripeApiDouble>>;

const ourEndpoint = (
  overrides: Partial<{ status: 'enabled' | 'disabled'; api_version: string | null; enabled_events: string[] }> = {},
) => ({
  id: 'we_monitor',
  object: 'webhook_endpoint' as const,
  url: `${APP_URL}/api/webhooks/stripe`,
  status: 'enabled' as const,
  api_version: Stripe.API_VERSION,
  enabled_events: [...HANDLED],
  ...overrides,
});

beforeAll(async () => {
  [receiver, stripeApi] = await Promise.all([startAlertReceiver(), startStripeApiDouble()]);
  app = await startApp({
    databaseUrl: inject('appDatabaseUrl'),
    env: {
      ...inject('appDatabaseEnv'),
      CRON_SECRET,
      METRICS_TOKEN,
      APP_URL,
      ALERT_WEBHOOK_URL: receiver.url,
      STRIPE_SECRET_KEY: 'sk_test_monitor_integration',
      STRIPE_API_URL: stripeApi.url,
    },
  });
});
afterAll(async () => {
  await app?.stop();
  await Promise.all([receiver?.close(), stripeApi?.close()]);
  await pool.end();
});

/** Starts every test from nothing recorded: no events, counters, alerts or subscriptions. */
beforeEach(async () => {
  await pool.query(`TRUNCATE stripe_webhook_events, stripe_webhook_duplicates, stripe_webhook_rejections, stripe_webhook_event_counts,
    stripe_monitor_state, stripe_monitor_alerts, stripe_reconcile_state, user_subscriptions`);
  stripeApi.webhookEndpoints.splice(0, stripeApi.webhookEndpoints.length, ourEndpoint());
  receiver.texts.splice(0);
  receiver.failNext(0);
  receiver.setDelay(0);
});

async function monitor(authorization: string | null = `Bearer ${CRON_SECRET}`) {
  const response = await fetch(`${app.url}/api/cron/stripe-monitor`, { headers: authorization ? { authorization } : {} });
  return {
    status: response.status,
    body: (await response.json()) as {
      firing: { name: string; message: string }[];
      alerts_sent: number;
      alerts_failed: number;
      checks: Record<string, string>;
      retention: { deleted: number; counter_rows_deleted: number };
    },
  };
}

async function scrape(baseUrl = app.url, authorization: string | null = `Bearer ${METRICS_TOKEN}`) {
  const response = await fetch(`${baseUrl}/api/metrics`, { headers: authorization ? { authorization } : {} });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** Samples of an exposition, keyed `name{labels}` as written. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match?.[1] && match[2]) map.set(match[1], Number(match[2]));
  }
  return map;
}

/** Inserts event rows as the pipeline records them. */
async function insertEvents(rows: { status: string; note?: string | null; type?: string; receivedAgo?: string; createdAgo?: string }[]) {
  for (const row of rows) {
    await pool.query(
      `INSERT INTO stripe_webhook_events (id, type, status, note, received_at, stripe_created_at, object_id)
       VALUES ($1, $2, $3, $4, now() - $5::interval, now() - $6::interval, $7)`,
      [
        randomId('evt'),
        row.type ?? 'customer.subscription.updated',
        row.status,
        row.note ?? null,
        row.receivedAgo ?? '0 seconds',
        row.createdAgo ?? row.receivedAgo ?? '0 seconds',
        randomId('sub'),
      ],
    );
  }
}

const fired = (name: string) => receiver.texts.filter((text) => text.startsWith(`[FIRING] ${name}:`)).length;
const resolved = (name: string) => receiver.texts.filter((text) => text.startsWith(`[RESOLVED] ${name}:`)).length;

describe('GET /api/metrics', () => {
  it('answers 404 where no METRICS_TOKEN is configured, 401 without the token or with a wrong one', async () => {
    expect((await scrape(inject('appUrl'))).status).toBe(404);
    for (const authorization of [null, 'Bearer wrong', `Basic ${METRICS_TOKEN}`, METRICS_TOKEN, `Bearer ${METRICS_TOKEN}x`]) {
      const answer = await scrape(app.url, authorization);
      expect(answer.status).toBe(401);
      expect(answer.text).not.toContain(METRICS_TOKEN);
    }
  });

  it('answers the documented series with the values of a known set of deliveries', async () => {
    const now = Math.floor(Date.now() / 1000);
    const scenario = freshScenario();
    const created = eventBody('customer.subscription.created', scenario, { created: now - 5 });
    expect((await deliver(app.url, created, { secret: webhookSecret })).body.status).toBe('processed');
    expect((await deliver(app.url, created, { secret: webhookSecret })).body.status).toBe('already_processed');
    expect(
      (await deliver(app.url, eventBody('customer.subscription.created', freshScenario(), { created: now - 5 }), { secret: webhookSecret }))
        .body.status,
    ).toBe('processed');
    expect(
      (await deliver(app.url, eventBody('customer.subscription.updated', scenario, { created: now - 2 }), { secret: webhookSecret })).body
        .status,
    ).toBe('processed');
    expect(
      (await deliver(app.url, eventBody('customer.subscription.updated', scenario, { created: now - 100 }), { secret: webhookSecret })).body
        .status,
    ).toBe('stale');
    expect(
      (await deliver(app.url, eventBody('customer.created', scenario, { created: now - 1 }), { secret: webhookSecret })).body.status,
    ).toBe('ignored');
    const forged = eventBody('customer.created', scenario);
    expect((await deliver(app.url, forged, { secret: 'whsec_forged' })).status).toBe(400);
    expect((await deliver(app.url, forged, { secret: 'whsec_forged' })).status).toBe(400);
    expect((await deliver(app.url, forged, { header: null })).status).toBe(400);
    // A failed event and one with a price the catalog does not know, as the pipeline records them.
    await insertEvents([
      { status: 'failed', type: 'invoice.payment_failed', createdAgo: '30 seconds' },
      { status: 'processed', note: 'unknown_price', type: 'customer.subscription.created' },
    ]);
    await pool.query(`INSERT INTO stripe_reconcile_state (mode, covered_until) VALUES ('test', now() - interval '2 days')`);

    const answer = await scrape();
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const values = samples(answer.text);
    expect(values.get('stripe_webhook_deliveries_total{type="customer.subscription.created",outcome="processed"}')).toBe(3);
    expect(values.get('stripe_webhook_deliveries_total{type="customer.subscription.updated",outcome="processed"}')).toBe(1);
    expect(values.get('stripe_webhook_deliveries_total{type="customer.subscription.updated",outcome="stale"}')).toBe(1);
    expect(values.get('stripe_webhook_deliveries_total{type="customer.created",outcome="ignored"}')).toBe(1);
    expect(values.get('stripe_webhook_deliveries_total{type="invoice.payment_failed",outcome="failed"}')).toBe(1);
    expect(values.get('stripe_webhook_duplicate_deliveries_total')).toBe(1);
    expect(values.get('stripe_webhook_rejected_deliveries_total{reason="invalid_signature"}')).toBe(2);
    expect(values.get('stripe_webhook_rejected_deliveries_total{reason="missing_signature"}')).toBe(1);
    expect(values.get('stripe_webhook_unknown_price_events_total')).toBe(1);
    expect(values.get('stripe_webhook_failed_events')).toBe(1);
    // The stale update was created 100 s before it arrived: the largest lag of the hour.
    expect(values.get('stripe_webhook_lag_seconds{quantile="1"}')).toBeGreaterThanOrEqual(100);
    expect(values.get('stripe_webhook_lag_seconds{quantile="1"}')).toBeLessThan(160);
    expect(values.get('stripe_webhook_lag_seconds{quantile="0.5"}')).toBeLessThan(60);
    expect(values.get('stripe_reconcile_cursor_age_seconds')).toBeGreaterThanOrEqual(2 * 86_400);
    expect(values.get('stripe_reconcile_cursor_age_seconds')).toBeLessThan(2 * 86_400 + 120);
    for (const family of [
      'stripe_webhook_deliveries_total counter',
      'stripe_webhook_duplicate_deliveries_total counter',
      'stripe_webhook_rejected_deliveries_total counter',
      'stripe_webhook_failed_events gauge',
      'stripe_webhook_lag_seconds gauge',
      'stripe_reconcile_cursor_age_seconds gauge',
      'stripe_sync_last_drift_subscriptions gauge',
      'stripe_monitor_alert_firing gauge',
    ]) {
      expect(answer.text).toContain(`# TYPE ${family}\n`);
      expect(answer.text).toContain(`# HELP ${family.split(' ')[0]} `);
    }

    // After a monitor run the firing alerts are series too.
    await monitor();
    const after = samples((await scrape()).text);
    expect(after.get('stripe_monitor_alert_firing{alert="failed_events"}')).toBe(1);
    expect(after.get('stripe_monitor_alert_firing{alert="unknown_price"}')).toBe(1);
    expect(after.get('stripe_monitor_alert_firing{alert="signature_failures"}')).toBe(0);
  });

  it('keeps counting events of hours already counted after they are pruned', async () => {
    await insertEvents([
      { status: 'processed', receivedAgo: '3 hours' },
      { status: 'processed', receivedAgo: '3 hours' },
      { status: 'ignored', type: 'customer.created', receivedAgo: '26 hours' },
      { status: 'processed' },
    ]);
    const before = samples((await scrape()).text);
    expect(before.get('stripe_webhook_deliveries_total{type="customer.subscription.updated",outcome="processed"}')).toBe(3);
    expect(before.get('stripe_webhook_deliveries_total{type="customer.created",outcome="ignored"}')).toBe(1);
    const hourly = await pool.query<{ count: string }>(
      `SELECT sum(count) AS count FROM stripe_webhook_event_counts WHERE hour > '-infinity'`,
    );
    expect(Number(hourly.rows[0]?.count)).toBe(3);
    await pool.query(`DELETE FROM stripe_webhook_events WHERE received_at < now() - interval '2 hours'`);
    const after = samples((await scrape()).text);
    expect(after.get('stripe_webhook_deliveries_total{type="customer.subscription.updated",outcome="processed"}')).toBe(3);
    expect(after.get('stripe_webhook_deliveries_total{type="customer.created",outcome="ignored"}')).toBe(1);
  });
  it('counts each event once when scrapes and monitor runs count at the same time', async () => {
    await insertEvents([
      ...Array.from({ length: 12 }, () => ({ status: 'processed', receivedAgo: '3 hours' })),
      ...Array.from({ length: 8 }, () => ({ status: 'ignored', type: 'customer.created', receivedAgo: '2 hours' })),
      { status: 'processed' },
    ]);
    const answers = await Promise.all([scrape(), scrape(), scrape(), monitor(), scrape(), monitor()]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const counts = await pool.query<{ all_time: string; hourly: string }>(`
      SELECT sum(count) FILTER (WHERE hour = '-infinity') AS all_time, sum(count) FILTER (WHERE hour > '-infinity') AS hourly FROM stripe_webhook_event_counts`);
    expect(counts.rows[0]).toEqual({ all_time: '20', hourly: '20' });
    const values = samples((await scrape()).text);
    expect(values.get('stripe_webhook_deliveries_total{type="customer.subscription.updated",outcome="processed"}')).toBe(13);
    expect(values.get('stripe_webhook_deliveries_total{type="customer.created",outcome="ignored"}')).toBe(8);
  });
});

describe('GET /api/cron/stripe-monitor', () => {
  it('answers 401 without the cron secret or with a wrong one, and posts nothing', async () => {
    await insertEvents([{ status: 'failed' }]);
    for (const authorization of [null, 'Bearer wrong', `Bearer ${METRICS_TOKEN}`]) expect((await monitor(authorization)).status).toBe(401);
    expect(receiver.texts).toEqual([]);
  });

  it('posts each condition once when it starts and once when it clears', async () => {
    // Everything the database can show at once: 18 processed and 2 failed in the last hour (90 %),
    // 10 duplicates (33 %), 11 signature failures this hour, an unknown price, a cursor 26 days old.
    await insertEvents([
      ...Array.from({ length: 17 }, () => ({ status: 'processed' })),
      { status: 'processed', note: 'unknown_price' },
      { status: 'failed' },
      { status: 'failed' },
    ]);
    await pool.query(`INSERT INTO stripe_webhook_duplicates (hour, count) VALUES (date_trunc('hour', now()), 10)`);
    await pool.query(
      `INSERT INTO stripe_webhook_rejections (hour, reason, count) VALUES (date_trunc('hour', now()), 'invalid_signature', 11)`,
    );
    await pool.query(`INSERT INTO stripe_reconcile_state (mode, covered_until) VALUES ('test', now() - interval '26 days')`);
    // The subscription stored with that price: the alert names the price an operator must add or move.
    await pool.query(
      `INSERT INTO user_subscriptions (stripe_subscription_id, status, is_active, plan, stripe_price_id) VALUES ($1, 'canceled', false, 'unknown', 'price_not_in_the_catalog')`,
      [randomId('sub')],
    );
    const names = [
      'webhook_success_rate',
      'duplicate_share',
      'signature_failures',
      'failed_events',
      'unknown_price',
      'reconcile_cursor_age',
    ];

    const first = await monitor();
    expect(first.status).toBe(200);
    expect(first.body.firing.map((alert) => alert.name).sort()).toEqual([...names].sort());
    expect(first.body.alerts_sent).toBe(names.length);
    for (const name of names) expect([name, fired(name)]).toEqual([name, 1]);
    expect(receiver.texts.find((text) => text.startsWith('[FIRING] failed_events:'))).toContain('2 webhook events failed');
    expect(receiver.texts.find((text) => text.startsWith('[FIRING] unknown_price:'))).toMatch(
      /^\[FIRING\] unknown_price: 1 event in the last 24 h named a price the catalog does not know \(price_not_in_the_catalog\), for sub_/,
    );

    const again = await monitor();
    expect(again.body.alerts_sent).toBe(0);
    expect(receiver.texts).toHaveLength(names.length);

    await pool.query(`TRUNCATE stripe_webhook_events, stripe_webhook_duplicates, stripe_webhook_rejections, stripe_reconcile_state`);
    await insertEvents([{ status: 'processed' }]);
    const cleared = await monitor();
    expect(cleared.body.firing).toEqual([]);
    for (const name of names) expect([name, fired(name), resolved(name)]).toEqual([name, 1, 1]);
    expect((await monitor()).body.alerts_sent).toBe(0);
    expect(receiver.texts).toHaveLength(names.length * 2);
  });

  it('alerts when nothing was delivered for 24 h while subscriptions are active, and clears on the next delivery', async () => {
    await pool.query(`INSERT INTO user_subscriptions (stripe_subscription_id, status, is_active) VALUES ($1, 'active', true)`, [
      randomId('sub'),
    ]);
    await insertEvents([{ status: 'processed', receivedAgo: '25 hours' }]);
    expect((await monitor()).body.firing.map((alert) => alert.name)).toEqual(['no_deliveries']);
    expect(fired('no_deliveries')).toBe(1);
    await insertEvents([{ status: 'processed' }]);
    expect((await monitor()).body.firing).toEqual([]);
    expect(resolved('no_deliveries')).toBe(1);
  });

  it('alerts when Stripe reports the endpoint disabled or set up differently, and skips nothing it could check', async () => {
    const ok = await monitor();
    expect(ok.body.checks.stripe_endpoint_disabled).toBe('ok');
    expect(ok.body.checks.stripe_endpoint_mismatch).toBe('ok');

    stripeApi.webhookEndpoints.splice(0, 1, ourEndpoint({ status: 'disabled' }), {
      ...ourEndpoint(),
      id: 'we_other_app',
      url: 'https://other.example.com/api/webhooks/stripe',
      status: 'disabled',
    });
    const disabled = await monitor();
    expect(disabled.body.firing.map((alert) => alert.name)).toEqual(['stripe_endpoint_disabled']);
    expect(receiver.texts).toEqual([expect.stringMatching(/^\[FIRING\] stripe_endpoint_disabled: .*we_monitor/)]);
    expect(receiver.texts[0]).not.toContain('we_other_app');

    stripeApi.webhookEndpoints.splice(
      0,
      2,
      ourEndpoint({ api_version: '2024-06-20', enabled_events: HANDLED.filter((type) => type !== 'invoice.payment_failed') }),
    );
    const mismatch = await monitor();
    expect(mismatch.body.firing.map((alert) => alert.name)).toEqual(['stripe_endpoint_mismatch']);
    expect(resolved('stripe_endpoint_disabled')).toBe(1);
    const text = receiver.texts.find((candidate) => candidate.startsWith('[FIRING] stripe_endpoint_mismatch:')) ?? '';
    expect(text).toContain('2024-06-20');
    expect(text).toContain('invoice.payment_failed');

    stripeApi.webhookEndpoints.splice(0, 1, ourEndpoint());
    expect((await monitor()).body.firing).toEqual([]);
    expect(resolved('stripe_endpoint_mismatch')).toBe(1);
    expect(stripeApi.requests.filter((request) => request.path.startsWith('/v1/webhook_endpoints')).length).toBeGreaterThanOrEqual(4);
  });

  it('alerts on drift found by the last sync run, and clears when a later run finds none', async () => {
    const ids = [randomId('sync_run'), randomId('sync_run'), randomId('sync_run')];
    try {
      await pool.query(
        `INSERT INTO stripe_sync_runs (id, mode, started_at, finished_at, drift) VALUES
        ($1, 'test', now() + interval '1 minute', now() + interval '2 minutes', 3), ($2, 'live', now() + interval '3 minutes', now() + interval '4 minutes', 0)`,
        [ids[0], ids[1]],
      );
      expect((await monitor()).body.firing.map((alert) => alert.name)).toEqual(['sync_drift']);
      expect(receiver.texts).toEqual([
        expect.stringMatching(/^\[FIRING\] sync_drift: The last subscription sync found 3 subscriptions differing from Stripe/),
      ]);
      expect(samples((await scrape()).text).get('stripe_sync_last_drift_subscriptions')).toBe(3);

      await pool.query(
        `INSERT INTO stripe_sync_runs (id, mode, started_at, finished_at, drift) VALUES ($1, 'test', now() + interval '5 minutes', now() + interval '6 minutes', 0)`,
        [ids[2]],
      );
      expect((await monitor()).body.firing).toEqual([]);
      expect(resolved('sync_drift')).toBe(1);
      expect(samples((await scrape()).text).get('stripe_sync_last_drift_subscriptions')).toBe(0);
    } finally {
      await pool.query('DELETE FROM stripe_sync_runs WHERE id = ANY($1)', [ids]);
    }
  });

  it('sends one alert when two monitor runs overlap', async () => {
    await insertEvents([{ status: 'failed' }]);
    receiver.setDelay(500);
    const runs = await Promise.all([monitor(), monitor(), monitor()]);
    expect(runs.map((run) => run.status)).toEqual([200, 200, 200]);
    expect(runs.reduce((sum, run) => sum + run.body.alerts_sent, 0)).toBe(1);
    expect(fired('failed_events')).toBe(1);
    expect(receiver.texts).toHaveLength(1);
  });

  it('retries a post the receiver refused on the next run, and says so meanwhile', async () => {
    await insertEvents([{ status: 'failed' }]);
    receiver.failNext(1);
    const refused = await monitor();
    expect(refused.body.alerts_failed).toBe(1);
    expect(refused.body.firing.map((alert) => alert.name)).toEqual(['failed_events']);
    expect(receiver.texts).toEqual([]);
    const { rows } = await pool.query<{ notified: boolean; last_error: string | null }>(
      `SELECT notified, last_error FROM stripe_monitor_alerts WHERE name = 'failed_events'`,
    );
    expect(rows[0]).toEqual({ notified: false, last_error: 'Alert receiver answered 500' });
    expect(app.logs()).toContain('Alert not posted; the next monitor run retries');
    expect(app.logs()).not.toContain(receiver.url);

    const retried = await monitor();
    expect(retried.body.alerts_sent).toBe(1);
    expect(fired('failed_events')).toBe(1);
  });

  it('deletes events past their retention in batches, keeps failed ones and recent ones, and keeps the counters', async () => {
    const old = ['processed', 'ignored', 'processed'].map((status) => ({ status, receivedAgo: '91 days' }));
    await insertEvents([
      ...old,
      { status: 'failed', receivedAgo: '120 days' },
      { status: 'processed', receivedAgo: '89 days' },
      { status: 'processed' },
    ]);
    await pool.query(
      `INSERT INTO stripe_webhook_duplicates (hour, count) VALUES (date_trunc('hour', now() - interval '401 days'), 5), (date_trunc('hour', now() - interval '10 days'), 2)`,
    );
    await pool.query(
      `INSERT INTO stripe_webhook_rejections (hour, reason, count) VALUES (date_trunc('hour', now() - interval '500 days'), 'invalid_signature', 7), (date_trunc('hour', now() - interval '399 days'), 'invalid_signature', 1)`,
    );
    const before = samples((await scrape()).text);

    const run = await monitor();
    expect(run.body.retention.deleted).toBe(3);
    expect(run.body.retention.counter_rows_deleted).toBe(2);
    const left = await pool.query<{ status: string; days: number }>(
      `SELECT status, floor(extract(epoch FROM now() - received_at) / 86400)::int AS days FROM stripe_webhook_events ORDER BY received_at`,
    );
    expect(left.rows).toEqual([
      { status: 'failed', days: 120 },
      { status: 'processed', days: 89 },
      { status: 'processed', days: 0 },
    ]);
    const duplicates = await pool.query<{ hour: string; count: number }>(
      `SELECT hour::text, count FROM stripe_webhook_duplicates WHERE hour < now() - interval '400 days'`,
    );
    expect(duplicates.rows).toEqual([{ hour: '-infinity', count: 5 }]);

    const after = samples((await scrape()).text);
    for (const series of [
      'stripe_webhook_duplicate_deliveries_total',
      'stripe_webhook_rejected_deliveries_total{reason="invalid_signature"}',
      'stripe_webhook_deliveries_total{type="customer.subscription.updated",outcome="processed"}',
      'stripe_webhook_deliveries_total{type="customer.subscription.updated",outcome="ignored"}',
    ]) {
      expect([series, after.get(series)]).toEqual([series, before.get(series)]);
    }
    expect((await monitor()).body.retention.deleted).toBe(0);
  });

  it('deletes no event the hourly counts do not hold yet, while another instance is counting', async () => {
    await insertEvents(['processed', 'ignored'].map((status) => ({ status, receivedAgo: '91 days' })));
    // Another instance counting: it holds the state row, so this run's count is skipped.
    await pool.query('INSERT INTO stripe_monitor_state (id) VALUES (1)');
    const counting = await pool.connect();
    try {
      await counting.query('BEGIN');
      await counting.query('SELECT 1 FROM stripe_monitor_state WHERE id = 1 FOR UPDATE');
      expect((await monitor()).body.retention.deleted).toBe(0);
    } finally {
      await counting.query('ROLLBACK');
      counting.release();
    }
    expect((await monitor()).body.retention.deleted).toBe(2);
    const values = samples((await scrape()).text);
    expect(values.get('stripe_webhook_deliveries_total{type="customer.subscription.updated",outcome="processed"}')).toBe(1);
    expect(values.get('stripe_webhook_deliveries_total{type="customer.subscription.updated",outcome="ignored"}')).toBe(1);
  });
});
