// `npm run bench`: measures the webhook on a production build (`next start`) over the embedded
// PostgreSQL with durable settings (fsync on), directly and through PgBouncer in transaction mode,
// with load from this separate process. Prints figures and ratios (medians of three rounds, all in
// one run, so they compare on any machine) and writes bench-results/bench.json; asserts nothing.
import '../load-env';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import autocannon, { type Options, type Result } from 'autocannon';
import pg from 'pg';
import type Stripe from 'stripe';
import { startEmbeddedPostgres } from '../../lib/db/embedded-postgres';
import { type AppServer, freePort, startApp, TEST_WEBHOOK_SECRETS } from '../../tests/support/app-server';
import { migrateDeploy } from '../../tests/support/database';
import { type Pooler, startPgbouncer } from '../../tests/support/pgbouncer';
import { eventBody, freshScenario, signatureHeader } from '../../tests/support/stripe-events';

const CONCURRENCY = 16;
const EVENTS = Number(process.env.BENCH_EVENTS ?? 6_000);
const SEED_ROWS = Number(process.env.BENCH_SEED_ROWS ?? 1_000_000);
const [SECRET] = TEST_WEBHOOK_SECRETS as [string];

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

type LoadFigures = { requestsPerSecond: number; p50: number; p99: number; non2xx: number; errors: number; total: number };

/**
 * Runs autocannon and times it to the last response: its own duration (and when its promise
 * settles) is rounded to whole seconds, which would skew a 10-second run by up to 10 %.
 */
function load(options: Options): Promise<LoadFigures> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let lastResponseAt = startedAt;
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error);
      resolve(figures(result, (lastResponseAt - startedAt) / 1000));
    });
    instance.on('response', () => { lastResponseAt = performance.now(); });
  });
}

function figures(result: Result, seconds: number): LoadFigures {
  return {
    requestsPerSecond: Math.round(result.requests.total / seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

/** Distinct customer.subscription.updated events, each for its own subscription, signed now. */
function signedUpdates(count: number): { body: string; signature: string }[] {
  return Array.from({ length: count }, () => {
    const body = eventBody('customer.subscription.updated', freshScenario());
    return { body, signature: signatureHeader(body, SECRET) };
  });
}

async function postWebhooks(url: string, deliveries: { body: string; signature: string }[]): Promise<LoadFigures> {
  let cursor = 0;
  // Each request takes the next delivery from a shared cursor (autocannon replays `requests` per connection).
  return load({
    url: `${url}/api/webhooks/stripe`,
    connections: CONCURRENCY,
    amount: deliveries.length,
    method: 'POST',
    requests: [{
      setupRequest: (request) => {
        const delivery = deliveries[cursor++ % deliveries.length];
        return { ...request, method: 'POST', body: delivery?.body, headers: { 'content-type': 'application/json', 'stripe-signature': delivery?.signature ?? '' } };
      },
    }],
  });
}

const ROUNDS = 3;

type Medians = LoadFigures & { rounds: number[]; p99Rounds: number[] };

/** Each figure's median over the rounds: one 2-core machine is noisy, a single run swings by 20 %. */
function medians(results: LoadFigures[]): Medians {
  const middle = (pick: (figures: LoadFigures) => number) => {
    const sorted = results.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  };
  return {
    requestsPerSecond: middle((r) => r.requestsPerSecond),
    p50: middle((r) => r.p50),
    p99: middle((r) => r.p99),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    total: results.reduce((sum, r) => sum + r.total, 0),
    rounds: results.map((r) => r.requestsPerSecond),
    p99Rounds: results.map((r) => r.p99),
  };
}

async function median(run: () => Promise<LoadFigures>): Promise<Medians> {
  const results: LoadFigures[] = [];
  for (let round = 0; round < ROUNDS; round += 1) results.push(await run());
  return medians(results);
}

/**
 * Several loads measured in interleaved rounds (one of each per round), so what drifts over the run
 * (table growth, checkpoints, other work on a shared machine) falls on all of them alike.
 */
async function interleaved(runs: (() => Promise<LoadFigures>)[]): Promise<Medians[]> {
  const results: LoadFigures[][] = runs.map(() => []);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [index, run] of runs.entries()) results[index]?.push(await run());
  }
  return results.map(medians);
}

const ratio = (value: number, base: number) => Number((value / base).toFixed(2));

async function getHealth(url: string, amount: number): Promise<LoadFigures> {
  return load({ url: `${url}/api/health`, connections: CONCURRENCY, amount });
}

/** The database's ceiling: the handler's own statement for one event, from 16 connections, no HTTP. */
async function databaseCeiling(databaseUrl: string, count: number): Promise<number> {
  const { newEventQuery } = await import('../../lib/billing/webhook/process-stripe-event');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: CONCURRENCY });
  const statements = Array.from({ length: count }, () => {
    const payload = eventBody('customer.subscription.updated', freshScenario());
    const event = JSON.parse(payload) as Stripe.Event;
    return newEventQuery(event, payload);
  });
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    const client = await pool.connect();
    try {
      for (let statement = statements[next++]; statement; statement = statements[next++]) {
        await client.query({ text: statement.text, values: statement.values });
      }
    } finally {
      client.release();
    }
  }));
  const seconds = (performance.now() - startedAt) / 1000;
  await pool.end();
  return Math.round(count / seconds);
}

async function analyze(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('ANALYZE');
  await client.end();
}

/** A million stored events, made in SQL (generate_series), spread over the past 30 days. */
async function seedEvents(databaseUrl: string, rows: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const startedAt = performance.now();
  const batch = 200_000;
  for (let offset = 0; offset < rows; offset += batch) {
    await client.query(
      `INSERT INTO stripe_webhook_events (id, type, api_version, livemode, stripe_created_at, received_at, processed_at, status, object_id, user_id, payload)
       SELECT 'evt_seed_' || i, (ARRAY['customer.subscription.updated','invoice.payment_succeeded','checkout.session.completed','customer.created'])[1 + i % 4],
              '2026-10-28.endive', false, t, t, t, CASE WHEN i % 97 = 0 THEN 'failed' WHEN i % 4 = 3 THEN 'ignored' ELSE 'processed' END,
              'sub_seed_' || (i % 50000), 'user_seed_' || (i % 50000), jsonb_build_object('id', 'evt_seed_' || i, 'object', 'event')
       FROM generate_series($1::int, $2::int) AS i, LATERAL (SELECT now() - interval '30 days' + (i::float / $3) * interval '30 days' - interval '1 hour' AS t) AS at`,
      [offset + 1, Math.min(offset + batch, rows), rows],
    );
    log(`  seeded ${Math.min(offset + batch, rows).toLocaleString()} rows`);
  }
  await client.query('VACUUM ANALYZE stripe_webhook_events');
  // Flush the seed's own write burst now, so its checkpoint is not billed to the webhook run after it.
  await client.query('CHECKPOINT');
  await client.end();
  return Math.round((performance.now() - startedAt) / 1000);
}

async function adminPageTimes(databaseUrl: string): Promise<{ firstPageMs: number; deepPageMs: number; filteredPageMs: number; plan: string }> {
  const { listWebhookEvents, encodeCursor } = await import('../../lib/admin/list-webhook-events');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const deep = await client.query<{ id: string; received_at: Date }>(
    'SELECT id, received_at FROM stripe_webhook_events ORDER BY received_at DESC, id DESC OFFSET 600000 LIMIT 1');
  const cursor = deep.rows[0] ? encodeCursor({ id: deep.rows[0].id, receivedAt: deep.rows[0].received_at }) : undefined;
  const plan = await client.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) SELECT id, type, status, note, api_version, attempts, duplicate_deliveries, received_at
     FROM stripe_webhook_events WHERE (received_at, id) < ($1::timestamptz, $2) ORDER BY received_at DESC, id DESC LIMIT 51`,
    [deep.rows[0]?.received_at, deep.rows[0]?.id]);
  await client.end();

  const median = async (run: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < 21; i += 1) {
      const startedAt = performance.now();
      await run();
      times.push(performance.now() - startedAt);
    }
    return Number(times.sort((a, b) => a - b)[10]?.toFixed(2));
  };
  return {
    firstPageMs: await median(() => listWebhookEvents({})),
    deepPageMs: await median(() => listWebhookEvents({ cursor })),
    filteredPageMs: await median(() => listWebhookEvents({ status: 'failed', cursor })),
    plan: plan.rows.map((row) => row['QUERY PLAN']).join('\n'),
  };
}

/** Peak resident memory (VmHWM) of the server process and its children, in MB. */
function peakRssMb(pid: number): number {
  const children = (id: number): number[] => {
    const path = `/proc/${id}/task/${id}/children`;
    const direct = existsSync(path) ? readFileSync(path, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number) : [];
    return [id, ...direct.flatMap(children)];
  };
  const kb = children(pid).reduce((sum, id) => {
    const match = /VmHWM:\s+(\d+) kB/.exec(existsSync(`/proc/${id}/status`) ? readFileSync(`/proc/${id}/status`, 'utf8') : '');
    return sum + Number(match?.[1] ?? 0);
  }, 0);
  return Math.round(kb / 1024);
}

async function main() {
  if (!existsSync('.next/BUILD_ID')) throw new Error('No production build: run `npm run build` first (`npm run bench` does).');
  const dataDir = '.data/bench';
  await rm(dataDir, { recursive: true, force: true });
  log('starting PostgreSQL 17 (embedded, fsync on) and `next start`');
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), fsync: process.env.BENCH_FSYNC !== 'off' });
  migrateDeploy(db.url);
  // lib/ modules read DATABASE_URL when first imported (the admin queries below).
  process.env.DATABASE_URL = db.url;
  const appEnv = Object.fromEntries(Object.entries({ DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE }).filter((entry): entry is [string, string] => Boolean(entry[1])));
  const app = await startApp({
    databaseUrl: db.url,
    env: appEnv,
    // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server under load.
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  });
  log(`server RSS after start: ${peakRssMb(app.pid)} MB`);
  // The same build and database behind Debian's PgBouncer in transaction mode, as with a pooled
  // DATABASE_URL (Supabase, Neon): a second server; the two are loaded in turn, never together.
  let pooler: Pooler | undefined;
  let pooledApp: AppServer | undefined;
  let delivered = 0;
  try {
    pooler = await startPgbouncer({ databaseUrl: db.url });
    pooledApp = await startApp({ databaseUrl: pooler.url, env: { ...appEnv, DIRECT_URL: db.url } });
    const pooledUrl = pooledApp.url;
    // Steady state, not start-up: V8 optimises the hot path and PostgreSQL warms its caches first.
    log('warming up (direct and pooled)');
    await postWebhooks(app.url, signedUpdates(2_000));
    await getHealth(app.url, 2_000);
    delivered += 2_000;
    await postWebhooks(pooledUrl, signedUpdates(2_000));
    // Statistics as a running database has them (autovacuum analyzes within minutes): a fresh
    // table's planner estimates otherwise slow the first rounds, which then drift upwards.
    await analyze(db.url);

    const perRound = Math.round(EVENTS / ROUNDS);
    log(`${ROUNDS} rounds, each: ${perRound} distinct customer.subscription.updated direct, the same through PgBouncer (transaction mode), ${perRound} GET /api/health; concurrency ${CONCURRENCY}, medians`);
    const [webhook, webhookPooled, health] = await interleaved([
      () => postWebhooks(app.url, signedUpdates(perRound)),
      () => postWebhooks(pooledUrl, signedUpdates(perRound)),
      () => getHealth(app.url, perRound),
    ]) as [Medians, Medians, Medians];
    delivered += perRound * ROUNDS;
    await pooledApp.stop();
    await pooler.stop();
    log(`  webhook direct: ${webhook.requestsPerSecond} events/s (rounds ${webhook.rounds.join(', ')}), p50 ${webhook.p50} ms, p99 ${webhook.p99} ms (rounds ${webhook.p99Rounds.join(', ')}), non-2xx ${webhook.non2xx}`);
    log(`  webhook pooled: ${webhookPooled.requestsPerSecond} events/s (rounds ${webhookPooled.rounds.join(', ')}), p50 ${webhookPooled.p50} ms, p99 ${webhookPooled.p99} ms, non-2xx ${webhookPooled.non2xx}`);
    log(`  health: ${health.requestsPerSecond} req/s (rounds ${health.rounds.join(', ')}), p99 ${health.p99} ms (rounds ${health.p99Rounds.join(', ')})`);

    log('database ceiling: the handler\'s SQL from 16 connections, no HTTP');
    const ceiling = await databaseCeiling(db.url, EVENTS);
    log(`  ${ceiling} events/s`);

    log('duplicate storm: one event 1,000 times at concurrency 16');
    const [one] = signedUpdates(1) as [{ body: string; signature: string }];
    const storm = await postWebhooks(app.url, Array.from({ length: 1_000 }, () => one));
    delivered += 1_000;
    log(`  ${storm.requestsPerSecond} answers/s, non-2xx ${storm.non2xx}`);

    log(`seeding ${SEED_ROWS.toLocaleString()} stored events`);
    const seedSeconds = await seedEvents(db.url, SEED_ROWS);

    log(`webhook again with ${SEED_ROWS.toLocaleString()} rows stored, median of ${ROUNDS}`);
    const webhookFull = await median(() => postWebhooks(app.url, signedUpdates(perRound)));
    delivered += perRound * ROUNDS;
    log(`  ${webhookFull.requestsPerSecond} events/s (rounds ${webhookFull.rounds.join(', ')}), p99 ${webhookFull.p99} ms`);

    log('admin list: first page, a deep cursor page (600,000 rows down), failed filter');
    const admin = await adminPageTimes(db.url);
    log(`  first ${admin.firstPageMs} ms, deep ${admin.deepPageMs} ms, failed-filter ${admin.filteredPageMs} ms`);

    const rssMb = peakRssMb(app.pid);
    const report = {
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      concurrency: CONCURRENCY,
      eventsPerPhase: EVENTS,
      webhook,
      health,
      webhookPooled,
      ratioWebhookToHealth: ratio(webhook.requestsPerSecond, health.requestsPerSecond),
      ratioWebhookP99ToHealthP99: ratio(webhook.p99, health.p99),
      ratioPooledToDirect: ratio(webhookPooled.requestsPerSecond, webhook.requestsPerSecond),
      databaseCeilingEventsPerSecond: ceiling,
      ratioWebhookToCeiling: ratio(webhook.requestsPerSecond, ceiling),
      duplicateStorm: storm,
      seededRows: SEED_ROWS,
      seedSeconds,
      webhookWithSeededRows: webhookFull,
      ratioSeededToEmpty: ratio(webhookFull.requestsPerSecond, webhook.requestsPerSecond),
      admin,
      serverPeakRssMb: rssMb,
      eventsDeliveredBeforeRss: delivered,
    };

    const goals: [string, string, boolean][] = [
      ['webhook / health throughput', `${report.ratioWebhookToHealth} (goal >= 0.6)`, report.ratioWebhookToHealth >= 0.6],
      ['webhook p99 / health p99', `${report.ratioWebhookP99ToHealthP99} (goal <= 1.5)`, report.ratioWebhookP99ToHealthP99 <= 1.5],
      ['pooled (PgBouncer, transaction mode) / direct throughput', `${report.ratioPooledToDirect} (goal >= 0.8)`, report.ratioPooledToDirect >= 0.8],
      ['pooled deliveries all 200', `${webhookPooled.non2xx} non-2xx, ${webhookPooled.errors} errors of ${webhookPooled.total}`, webhookPooled.non2xx === 0 && webhookPooled.errors === 0],
      ['webhook p99 at c16', `${webhook.p99} ms (goal <= 25)`, webhook.p99 <= 25],
      ['webhook / database ceiling', `${report.ratioWebhookToCeiling}`, true],
      ['1M rows / empty throughput', `${report.ratioSeededToEmpty} (goal >= 0.9)`, report.ratioSeededToEmpty >= 0.9],
      ['admin first page', `${admin.firstPageMs} ms (goal <= 50)`, admin.firstPageMs <= 50],
      ['admin deep cursor page', `${admin.deepPageMs} ms (goal <= 50)`, admin.deepPageMs <= 50],
      ['duplicate storm all 200', `${storm.non2xx} non-2xx of ${storm.total}`, storm.non2xx === 0 && storm.errors === 0],
    ];
    console.log('\n| figure | value |\n|---|---|');
    console.log(`| webhook events/s (c16) | ${webhook.requestsPerSecond} (p50 ${webhook.p50} ms, p99 ${webhook.p99} ms) |`);
    console.log(`| webhook events/s through PgBouncer (c16) | ${webhookPooled.requestsPerSecond} (p50 ${webhookPooled.p50} ms, p99 ${webhookPooled.p99} ms) |`);
    console.log(`| health req/s (c16) | ${health.requestsPerSecond} (p99 ${health.p99} ms) |`);
    console.log(`| database ceiling events/s | ${ceiling} |`);
    console.log(`| duplicate storm answers/s | ${storm.requestsPerSecond} |`);
    console.log(`| webhook events/s, 1M rows | ${webhookFull.requestsPerSecond} (p99 ${webhookFull.p99} ms) |`);
    // A figure, not a goal: `npm start` keeps Node's default heap (README, Configuration: Memory).
    console.log(`| server peak RSS | ${rssMb} MB after ${delivered} events |`);
    console.log('\n| goal | measured | met |\n|---|---|---|');
    for (const [name, value, met] of goals) console.log(`| ${name} | ${value} | ${met ? 'yes' : 'NO'} |`);
    console.log(`\nDeep-page plan at ${SEED_ROWS.toLocaleString()} rows:\n${admin.plan}`);

    await mkdir('bench-results', { recursive: true });
    await writeFile('bench-results/bench.json', `${JSON.stringify({ ...report, goals: goals.map(([name, value, met]) => ({ name, value, met })) }, null, 2)}\n`);
    log('wrote bench-results/bench.json');
  } finally {
    await pooledApp?.stop();
    await pooler?.stop();
    await app.stop();
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
