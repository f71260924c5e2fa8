// `npm run bench`: measures the webhook on a production build (`next start`, BENCH_INSTANCES of them,
// requests alternating) over PostgreSQL with durable settings (fsync on): the embedded PostgreSQL 17,
// or a fresh database on the server DATABASE_URL names (e.g. Debian's PostgreSQL 15 from
// scripts/bench/postgres-cluster.sh), directly and through PgBouncer in transaction mode, with load
// from this separate process. Prints figures, ratios and CPU milliseconds per event (medians of
// three interleaved rounds, all in one run, so they compare on any machine) and writes
// bench-results/bench.json and bench-results/explain.txt; asserts nothing.
import '../load-env';
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import autocannon, { type Options } from 'autocannon';
import pg from 'pg';
import type Stripe from 'stripe';
import { startEmbeddedPostgres } from '../../lib/db/embedded-postgres';
import { type AppServer, freePort, startApp, TEST_WEBHOOK_SECRETS } from '../../tests/support/app-server';
import { migrateDeploy } from '../../tests/support/database';
import { type Pooler, startPgbouncer } from '../../tests/support/pgbouncer';
import { eventBody, freshScenario, signatureHeader } from '../../tests/support/stripe-events';
import { type ColdStart, coldStart } from './cold-start';
import { explainWebhookStatements } from './explain-webhook';
import { ownCpuMs, postmasterPid, treeCpuMs } from './process-cpu';

const CONCURRENCY = 16;
const EVENTS = Number(process.env.BENCH_EVENTS ?? 6_000);
const SEED_ROWS = Number(process.env.BENCH_SEED_ROWS ?? 1_000_000);
const INSTANCES = Math.max(1, Number(process.env.BENCH_INSTANCES ?? 2));
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 1_200);
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 3);
const [SECRET] = TEST_WEBHOOK_SECRETS as [string];

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** CPU milliseconds per request of the servers, PostgreSQL (all its processes), PgBouncer and this load generator. */
type CpuPerEvent = { server: number; postgres: number; pooler: number; load: number };

type LoadFigures = { requestsPerSecond: number; p50: number; p99: number; non2xx: number; errors: number; total: number; cpu: CpuPerEvent };

/** The processes whose CPU time a load is billed: set once the servers run. */
const watched: { servers: number[]; postgres?: number; pooler?: number } = { servers: [] };

function cpuNow(): Omit<CpuPerEvent, 'load'> & { load: number } {
  return {
    server: watched.servers.reduce((sum, pid) => sum + treeCpuMs(pid), 0),
    postgres: treeCpuMs(watched.postgres),
    pooler: treeCpuMs(watched.pooler),
    load: ownCpuMs(),
  };
}

const percentile = (sorted: number[], share: number) => sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? 0;

/**
 * Runs one autocannon per target URL at once (the connections split between them, so requests
 * alternate between the instances), times it to the last response (autocannon's own duration is
 * rounded to whole seconds, which would skew a 10-second run by up to 10 %), takes the latencies of
 * every response together, and the CPU time every process spent meanwhile.
 */
async function load(
  urls: string[],
  options: (url: string, connections: number, amount: number) => Options,
  amount: number,
): Promise<LoadFigures> {
  const latencies: number[] = [];
  const before = cpuNow();
  const startedAt = performance.now();
  let lastResponseAt = startedAt;
  const results = await Promise.all(
    urls.map(
      (url, index) =>
        new Promise<{ non2xx: number; errors: number }>((resolve, reject) => {
          const share = Math.floor(amount / urls.length) + (index < amount % urls.length ? 1 : 0);
          const connections = Math.floor(CONCURRENCY / urls.length) + (index < CONCURRENCY % urls.length ? 1 : 0);
          const instance = autocannon(options(url, connections, share), (error, result) => {
            if (error) return reject(error);
            resolve({ non2xx: result.non2xx, errors: result.errors + result.timeouts });
          });
          instance.on('response', (_client, _status, _bytes, responseTime) => {
            lastResponseAt = performance.now();
            latencies.push(responseTime);
          });
        }),
    ),
  );
  const after = cpuNow();
  const total = latencies.length;
  const perEvent = (key: keyof CpuPerEvent) => Number(((after[key] - before[key]) / Math.max(total, 1)).toFixed(3));
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: Math.round(total / ((lastResponseAt - startedAt) / 1000)),
    p50: Math.round(percentile(latencies, 0.5)),
    p99: Math.round(percentile(latencies, 0.99)),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    total,
    cpu: { server: perEvent('server'), postgres: perEvent('postgres'), pooler: perEvent('pooler'), load: perEvent('load') },
  };
}

/** Distinct customer.subscription.updated events, each for its own subscription, signed now. */
function signedUpdates(count: number): { body: string; signature: string }[] {
  return Array.from({ length: count }, () => {
    const body = eventBody('customer.subscription.updated', freshScenario());
    return { body, signature: signatureHeader(body, SECRET) };
  });
}

async function postWebhooks(urls: string[], deliveries: { body: string; signature: string }[]): Promise<LoadFigures> {
  let cursor = 0;
  // Each request takes the next delivery from a shared cursor (autocannon replays `requests` per connection).
  return load(
    urls,
    (url, connections, amount) => ({
      url: `${url}/api/webhooks/stripe`,
      connections,
      amount,
      method: 'POST',
      requests: [
        {
          setupRequest: (request) => {
            const delivery = deliveries[cursor++ % deliveries.length];
            return {
              ...request,
              method: 'POST',
              body: delivery?.body,
              headers: { 'content-type': 'application/json', 'stripe-signature': delivery?.signature ?? '' },
            };
          },
        },
      ],
    }),
    deliveries.length,
  );
}

const ROUNDS = 3;

type Medians = LoadFigures & { rounds: number[]; p99Rounds: number[]; postgresCpuRounds: number[] };

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
    cpu: {
      server: middle((r) => r.cpu.server),
      postgres: middle((r) => r.cpu.postgres),
      pooler: middle((r) => r.cpu.pooler),
      load: middle((r) => r.cpu.load),
    },
    rounds: results.map((r) => r.requestsPerSecond),
    p99Rounds: results.map((r) => r.p99),
    postgresCpuRounds: results.map((r) => r.cpu.postgres),
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

async function getHealth(urls: string[], amount: number): Promise<LoadFigures> {
  return load(urls, (url, connections, share) => ({ url: `${url}/api/health`, connections, amount: share }), amount);
}

const cpuText = ({ cpu }: LoadFigures) =>
  `CPU ms/event: server ${cpu.server}, PostgreSQL ${cpu.postgres}, PgBouncer ${cpu.pooler}, load generator ${cpu.load}`;

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
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const client = await pool.connect();
      try {
        for (let statement = statements[next++]; statement; statement = statements[next++]) {
          await client.query({ text: statement.text, values: statement.values });
        }
      } finally {
        client.release();
      }
    }),
  );
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

async function adminPageTimes(
  databaseUrl: string,
): Promise<{ firstPageMs: number; deepPageMs: number; filteredPageMs: number; plan: string }> {
  const { listWebhookEvents, encodeCursor } = await import('../../lib/admin/list-webhook-events');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const deep = await client.query<{ id: string; received_at: Date }>(
    'SELECT id, received_at FROM stripe_webhook_events ORDER BY received_at DESC, id DESC OFFSET 600000 LIMIT 1',
  );
  const cursor = deep.rows[0] ? encodeCursor({ id: deep.rows[0].id, receivedAt: deep.rows[0].received_at }) : undefined;
  const plan = await client.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) SELECT id, type, status, note, api_version, attempts, duplicate_deliveries, received_at
     FROM stripe_webhook_events WHERE (received_at, id) < ($1::timestamptz, $2) ORDER BY received_at DESC, id DESC LIMIT 51`,
    [deep.rows[0]?.received_at, deep.rows[0]?.id],
  );
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

/** The database to measure on: a fresh one on the server DATABASE_URL names, else an embedded PostgreSQL 17. */
type BenchDatabase = {
  url: string;
  label: string;
  stop: () => Promise<void>;
  /** Restarts the server (caches and backends gone, data kept); undefined when the bench cannot. */
  restart?: () => Promise<void>;
};

async function startDatabase(): Promise<BenchDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) {
    // A database of its own on that server, dropped afterwards: nothing already there is touched.
    const name = `bench_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: external });
    await admin.connect();
    const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(external);
    url.pathname = `/${name}`;
    // e.g. BENCH_RESTART_COMMAND="scripts/bench/postgres-cluster.sh restart $BENCH_CLUSTER_DIR"
    const restartCommand = process.env.BENCH_RESTART_COMMAND;
    return {
      url: url.toString(),
      label: `PostgreSQL ${version} at DATABASE_URL (${url.host}), database ${name}`,
      restart: restartCommand ? async () => void execSync(restartCommand, { stdio: 'inherit' }) : undefined,
      stop: async () => {
        const client = new pg.Client({ connectionString: external });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  }
  const dataDir = '.data/bench';
  await rm(dataDir, { recursive: true, force: true });
  const options = { dataDir, port: await freePort(), fsync: process.env.BENCH_FSYNC !== 'off' };
  let db = await startEmbeddedPostgres(options);
  return {
    url: db.url,
    label: 'PostgreSQL 17 (embedded)',
    stop: async () => {
      await db.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
    restart: async () => {
      await db.stop();
      db = await startEmbeddedPostgres(options);
    },
  };
}

async function serverSettings(databaseUrl: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'default_toast_compression', 'wal_level')`,
  );
  const compression = await client.query<{ attcompression: string }>(
    `SELECT attcompression::text FROM pg_attribute WHERE attrelid = 'stripe_webhook_events'::regclass AND attname = 'payload'`,
  );
  await client.end();
  return {
    ...Object.fromEntries(rows.map((row) => [row.name, row.setting])),
    payload_compression: compression.rows[0]?.attcompression || '(default)',
  };
}

async function main() {
  if (!existsSync('.next/BUILD_ID')) throw new Error('No production build: run `npm run build` first (`npm run bench` does).');
  const db = await startDatabase();
  log(`starting ${db.label} (fsync on) and ${INSTANCES} \`next start\` instance(s)`);
  migrateDeploy(db.url);
  // lib/ modules read DATABASE_URL when first imported (the admin queries below).
  process.env.DATABASE_URL = db.url;
  const settings = await serverSettings(db.url);
  log(
    `  ${Object.entries(settings)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ')}`,
  );
  const appEnv = Object.fromEntries(
    Object.entries({ DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE }).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
  // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the servers under load.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const apps: AppServer[] = [];
  // The same build and database behind Debian's PgBouncer in transaction mode, as with a pooled
  // DATABASE_URL (Supabase, Neon): servers of their own; the loads run in turn, never together.
  let pooler: Pooler | undefined;
  const pooledApps: AppServer[] = [];
  let delivered = 0;
  try {
    // Cold starts first, before anything else warms the database's caches for them.
    const coldStarts: ColdStart[] = [];
    for (let run = 0; run < COLD_STARTS; run += 1) {
      coldStarts.push(await coldStart(db.url, appEnv));
      const last = coldStarts.at(-1);
      log(
        `  cold start ${run + 1}: ready ${last?.spawnToReadyMs} ms after spawn (server CPU ${last?.cpuToReadyMs} ms), first webhook sent then answered ${last?.spawnToFirstAnswerMs} ms after spawn, its latency ${last?.firstWebhookMs} ms (route ${last?.handlerMs} ms, server CPU ${last?.firstWebhookCpuMs} ms, status ${last?.status}), the next ones ${last?.nextWebhooksMs.join(', ')} ms`,
      );
    }
    const coldMedian = (pick: (run: ColdStart) => number) =>
      coldStarts.map(pick).sort((a, b) => a - b)[Math.floor(coldStarts.length / 2)] ?? 0;
    const firstWebhookMs = coldMedian((run) => run.firstWebhookMs);
    const spawnToFirstAnswerMs = coldMedian((run) => run.spawnToFirstAnswerMs);
    const firstWebhookCpuMs = coldMedian((run) => run.firstWebhookCpuMs);

    for (let i = 0; i < INSTANCES; i += 1) apps.push(await startApp({ databaseUrl: db.url, env: appEnv, nodeArgs }));
    log(`server RSS after start: ${apps.map((app) => peakRssMb(app.pid)).join(', ')} MB`);
    pooler = await startPgbouncer({ databaseUrl: db.url });
    for (let i = 0; i < INSTANCES; i += 1)
      pooledApps.push(await startApp({ databaseUrl: pooler.url, env: { ...appEnv, DIRECT_URL: db.url } }));
    const urls = apps.map((app) => app.url);
    const pooledUrls = pooledApps.map((app) => app.url);
    watched.postgres = await postmasterPid(db.url);
    watched.pooler = pooler.pid();
    if (!watched.postgres) log('  PostgreSQL runs elsewhere: its CPU time is not measured');

    // Steady state, not start-up: V8 optimises the hot path and PostgreSQL warms its caches first.
    log(`warming up (direct and pooled, ${WARM_UP} of each)`);
    watched.servers = apps.map((app) => app.pid);
    await postWebhooks(urls, signedUpdates(WARM_UP));
    await getHealth(urls, WARM_UP);
    delivered += WARM_UP;
    watched.servers = pooledApps.map((app) => app.pid);
    await postWebhooks(pooledUrls, signedUpdates(WARM_UP));
    // Statistics as a running database has them (autovacuum analyzes within minutes): a fresh
    // table's planner estimates otherwise slow the first rounds, which then drift upwards.
    await analyze(db.url);

    const perRound = Math.round(EVENTS / ROUNDS);
    const on = (servers: AppServer[], run: () => Promise<LoadFigures>) => () => {
      watched.servers = servers.map((app) => app.pid);
      return run();
    };
    log(
      `${ROUNDS} rounds, each: ${perRound} distinct customer.subscription.updated direct, the same through PgBouncer (transaction mode), ${perRound} GET /api/health; concurrency ${CONCURRENCY} over ${INSTANCES} instance(s), medians`,
    );
    const [webhook, webhookPooled, health] = (await interleaved([
      on(apps, () => postWebhooks(urls, signedUpdates(perRound))),
      on(pooledApps, () => postWebhooks(pooledUrls, signedUpdates(perRound))),
      on(apps, () => getHealth(urls, perRound)),
    ])) as [Medians, Medians, Medians];
    delivered += perRound * ROUNDS;
    watched.servers = apps.map((app) => app.pid);
    for (const app of pooledApps) await app.stop();
    await pooler.stop();
    log(
      `  webhook direct: ${webhook.requestsPerSecond} events/s (rounds ${webhook.rounds.join(', ')}), p50 ${webhook.p50} ms, p99 ${webhook.p99} ms (rounds ${webhook.p99Rounds.join(', ')}), non-2xx ${webhook.non2xx}`,
    );
    log(`    ${cpuText(webhook)} (PostgreSQL rounds ${webhook.postgresCpuRounds.join(', ')})`);
    log(
      `  webhook pooled: ${webhookPooled.requestsPerSecond} events/s (rounds ${webhookPooled.rounds.join(', ')}), p50 ${webhookPooled.p50} ms, p99 ${webhookPooled.p99} ms (rounds ${webhookPooled.p99Rounds.join(', ')}), non-2xx ${webhookPooled.non2xx}`,
    );
    log(`    ${cpuText(webhookPooled)} (PostgreSQL rounds ${webhookPooled.postgresCpuRounds.join(', ')})`);
    log(
      `  health: ${health.requestsPerSecond} req/s (rounds ${health.rounds.join(', ')}), p99 ${health.p99} ms (rounds ${health.p99Rounds.join(', ')})`,
    );
    log(`    ${cpuText(health)}`);

    log('EXPLAIN (ANALYZE, BUFFERS, WAL) of the webhook statement: new, stale, duplicate');
    const plans = await explainWebhookStatements(db.url);
    for (const plan of plans)
      log(
        `  ${plan.label}: execution ${plan.executionMs} ms, planning ${plan.planningMs} ms, buffers hit ${plan.sharedHit} read ${plan.sharedRead} dirtied ${plan.sharedDirtied}, WAL ${plan.walBytes} bytes`,
      );

    log("database ceiling: the handler's SQL from 16 connections, no HTTP");
    const ceilingCpuBefore = treeCpuMs(watched.postgres);
    const ceiling = await databaseCeiling(db.url, EVENTS);
    const ceilingPostgresCpu = Number(((treeCpuMs(watched.postgres) - ceilingCpuBefore) / EVENTS).toFixed(3));
    log(`  ${ceiling} events/s, PostgreSQL CPU ${ceilingPostgresCpu} ms/event`);

    log('duplicate storm: one event 1,000 times at concurrency 16');
    const [one] = signedUpdates(1) as [{ body: string; signature: string }];
    const storm = await postWebhooks(
      urls,
      Array.from({ length: 1_000 }, () => one),
    );
    delivered += 1_000;
    log(`  ${storm.requestsPerSecond} answers/s, p99 ${storm.p99} ms, non-2xx ${storm.non2xx}; ${cpuText(storm)}`);

    // A restart empties PostgreSQL's caches and ends every backend: the servers keep running, their
    // pools reconnect, and the first round pays for it all (no warm-up), webhook then health.
    let afterRestart: { webhook: LoadFigures; health: LoadFigures } | undefined;
    if (db.restart) {
      log('PostgreSQL restarted; the first round after it, no warm-up: webhook, then health');
      await db.restart();
      watched.postgres = await postmasterPid(db.url);
      const webhookAfter = await postWebhooks(urls, signedUpdates(perRound));
      const healthAfter = await getHealth(urls, perRound);
      afterRestart = { webhook: webhookAfter, health: healthAfter };
      delivered += perRound;
      log(
        `  webhook ${webhookAfter.requestsPerSecond} events/s, p99 ${webhookAfter.p99} ms, non-2xx ${webhookAfter.non2xx}; health ${healthAfter.requestsPerSecond} req/s, p99 ${healthAfter.p99} ms`,
      );
    } else log('PostgreSQL restart not measured: set BENCH_RESTART_COMMAND for a server the bench did not start');

    let webhookFull: Medians | undefined;
    let seedSeconds = 0;
    let admin: Awaited<ReturnType<typeof adminPageTimes>> | undefined;
    if (SEED_ROWS > 0) {
      log(`seeding ${SEED_ROWS.toLocaleString()} stored events`);
      seedSeconds = await seedEvents(db.url, SEED_ROWS);

      log(`webhook again with ${SEED_ROWS.toLocaleString()} rows stored, median of ${ROUNDS}`);
      webhookFull = await median(() => postWebhooks(urls, signedUpdates(perRound)));
      delivered += perRound * ROUNDS;
      log(
        `  ${webhookFull.requestsPerSecond} events/s (rounds ${webhookFull.rounds.join(', ')}), p99 ${webhookFull.p99} ms; ${cpuText(webhookFull)}`,
      );

      log('admin list: first page, a deep cursor page (600,000 rows down), failed filter');
      admin = await adminPageTimes(db.url);
      log(`  first ${admin.firstPageMs} ms, deep ${admin.deepPageMs} ms, failed-filter ${admin.filteredPageMs} ms`);
    }

    const rssMb = Math.max(...apps.map((app) => peakRssMb(app.pid)));
    const report = {
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      database: db.label,
      settings,
      instances: INSTANCES,
      concurrency: CONCURRENCY,
      eventsPerPhase: EVENTS,
      coldStarts,
      firstWebhookMs,
      firstWebhookCpuMs,
      spawnToFirstAnswerMs,
      webhook,
      health,
      webhookPooled,
      ratioWebhookToHealth: ratio(webhook.requestsPerSecond, health.requestsPerSecond),
      ratioWebhookP99ToHealthP99: ratio(webhook.p99, health.p99),
      ratioPooledToHealth: ratio(webhookPooled.requestsPerSecond, health.requestsPerSecond),
      ratioPooledP99ToHealthP99: ratio(webhookPooled.p99, health.p99),
      ratioPooledToDirect: ratio(webhookPooled.requestsPerSecond, webhook.requestsPerSecond),
      plans: plans.map((plan) => ({ ...plan, text: undefined })),
      databaseCeilingEventsPerSecond: ceiling,
      databaseCeilingPostgresCpuMs: ceilingPostgresCpu,
      ratioWebhookToCeiling: ratio(webhook.requestsPerSecond, ceiling),
      duplicateStorm: storm,
      afterRestart,
      ratioAfterRestartToHealth: afterRestart && ratio(afterRestart.webhook.requestsPerSecond, afterRestart.health.requestsPerSecond),
      ratioAfterRestartP99ToHealthP99: afterRestart && ratio(afterRestart.webhook.p99, afterRestart.health.p99),
      seededRows: SEED_ROWS,
      seedSeconds,
      webhookWithSeededRows: webhookFull,
      ratioSeededToEmpty: webhookFull ? ratio(webhookFull.requestsPerSecond, webhook.requestsPerSecond) : null,
      admin: admin && { firstPageMs: admin.firstPageMs, deepPageMs: admin.deepPageMs, filteredPageMs: admin.filteredPageMs },
      serverPeakRssMb: rssMb,
      eventsDeliveredBeforeRss: delivered,
    };

    const goals: [string, string, boolean][] = [
      ['webhook / health throughput', `${report.ratioWebhookToHealth} (goal >= 0.7)`, report.ratioWebhookToHealth >= 0.7],
      ['webhook p99 / health p99', `${report.ratioWebhookP99ToHealthP99} (goal <= 1.5)`, report.ratioWebhookP99ToHealthP99 <= 1.5],
      ['pooled webhook / health throughput', `${report.ratioPooledToHealth} (goal >= 0.7)`, report.ratioPooledToHealth >= 0.7],
      ['pooled webhook p99 / health p99', `${report.ratioPooledP99ToHealthP99} (goal <= 1.5)`, report.ratioPooledP99ToHealthP99 <= 1.5],
      [
        'PostgreSQL CPU per new event (direct)',
        watched.postgres ? `${webhook.cpu.postgres} ms (goal <= 0.8)` : 'not measured (remote server)',
        webhook.cpu.postgres <= 0.8,
      ],
      [
        'PostgreSQL CPU per new event (pooled)',
        watched.postgres ? `${webhookPooled.cpu.postgres} ms (goal <= 0.8)` : 'not measured (remote server)',
        webhookPooled.cpu.postgres <= 0.8,
      ],
      ['first webhook after start', `${firstWebhookMs} ms (goal <= 250), ${spawnToFirstAnswerMs} ms after spawn`, firstWebhookMs <= 250],
      [
        'pooled (PgBouncer, transaction mode) / direct throughput',
        `${report.ratioPooledToDirect} (goal >= 0.8)`,
        report.ratioPooledToDirect >= 0.8,
      ],
      [
        'pooled deliveries all 200',
        `${webhookPooled.non2xx} non-2xx, ${webhookPooled.errors} errors of ${webhookPooled.total}`,
        webhookPooled.non2xx === 0 && webhookPooled.errors === 0,
      ],
      ['webhook p99 at c16', `${webhook.p99} ms (goal <= 25)`, webhook.p99 <= 25],
      ['webhook / database ceiling', `${report.ratioWebhookToCeiling}`, true],
      ...(webhookFull && admin
        ? ([
            ['1M rows / empty throughput', `${report.ratioSeededToEmpty} (goal >= 0.9)`, (report.ratioSeededToEmpty ?? 0) >= 0.9],
            ['admin first page', `${admin.firstPageMs} ms (goal <= 50)`, admin.firstPageMs <= 50],
            ['admin deep cursor page', `${admin.deepPageMs} ms (goal <= 50)`, admin.deepPageMs <= 50],
          ] as [string, string, boolean][])
        : []),
      ...(afterRestart
        ? ([
            [
              'first round after a PostgreSQL restart: webhook / health throughput',
              `${report.ratioAfterRestartToHealth} (goal >= 0.6)`,
              (report.ratioAfterRestartToHealth ?? 0) >= 0.6,
            ],
            [
              'first round after a PostgreSQL restart: webhook p99 / health p99',
              `${report.ratioAfterRestartP99ToHealthP99} (goal <= 2)`,
              (report.ratioAfterRestartP99ToHealthP99 ?? Infinity) <= 2,
            ],
            [
              'deliveries after the restart all 200',
              `${afterRestart.webhook.non2xx} non-2xx, ${afterRestart.webhook.errors} errors of ${afterRestart.webhook.total}`,
              afterRestart.webhook.non2xx === 0 && afterRestart.webhook.errors === 0,
            ],
          ] as [string, string, boolean][])
        : []),
      ['duplicate storm all 200', `${storm.non2xx} non-2xx of ${storm.total}`, storm.non2xx === 0 && storm.errors === 0],
    ];
    const cpuCells = ({ cpu }: LoadFigures) => `${cpu.server} | ${cpu.postgres} | ${cpu.pooler} | ${cpu.load}`;
    console.log(`\n${db.label}, ${INSTANCES} instance(s), concurrency ${CONCURRENCY}, medians of ${ROUNDS} rounds`);
    console.log('\n| figure | value |\n|---|---|');
    console.log(
      `| webhook events/s (c16) | ${webhook.requestsPerSecond} (p50 ${webhook.p50} ms, p99 ${webhook.p99} ms; rounds ${webhook.rounds.join(', ')}) |`,
    );
    console.log(
      `| webhook events/s through PgBouncer (c16) | ${webhookPooled.requestsPerSecond} (p50 ${webhookPooled.p50} ms, p99 ${webhookPooled.p99} ms; rounds ${webhookPooled.rounds.join(', ')}) |`,
    );
    console.log(`| health req/s (c16) | ${health.requestsPerSecond} (p99 ${health.p99} ms; rounds ${health.rounds.join(', ')}) |`);
    console.log(
      `| first webhook after start | ${firstWebhookMs} ms, server CPU ${firstWebhookCpuMs} ms (answered ${spawnToFirstAnswerMs} ms after spawn; runs ${coldStarts.map((run) => run.firstWebhookMs).join(', ')} ms) |`,
    );
    console.log(`| database ceiling events/s | ${ceiling} (PostgreSQL CPU ${ceilingPostgresCpu} ms/event) |`);
    console.log(`| duplicate storm answers/s | ${storm.requestsPerSecond} (p99 ${storm.p99} ms) |`);
    if (afterRestart)
      console.log(
        `| first round after a PostgreSQL restart | webhook ${afterRestart.webhook.requestsPerSecond} events/s (p99 ${afterRestart.webhook.p99} ms), health ${afterRestart.health.requestsPerSecond} req/s (p99 ${afterRestart.health.p99} ms) |`,
      );
    if (webhookFull)
      console.log(
        `| webhook events/s, ${SEED_ROWS.toLocaleString()} rows | ${webhookFull.requestsPerSecond} (p99 ${webhookFull.p99} ms) |`,
      );
    // A figure, not a goal: `npm start` keeps Node's default heap (README, Configuration: Memory).
    console.log(`| server peak RSS | ${rssMb} MB after ${delivered} events |`);
    console.log('\n| CPU ms per request | servers | PostgreSQL | PgBouncer | load generator |\n|---|---|---|---|---|');
    console.log(`| webhook direct | ${cpuCells(webhook)} |`);
    console.log(`| webhook pooled | ${cpuCells(webhookPooled)} |`);
    console.log(`| health | ${cpuCells(health)} |`);
    console.log(`| duplicate storm | ${cpuCells(storm)} |`);
    if (webhookFull) console.log(`| webhook, ${SEED_ROWS.toLocaleString()} rows | ${cpuCells(webhookFull)} |`);
    console.log('\n| statement (EXPLAIN ANALYZE) | execution ms | buffers hit / read / dirtied | WAL bytes |\n|---|---|---|---|');
    for (const plan of plans)
      console.log(
        `| ${plan.label} | ${plan.executionMs} | ${plan.sharedHit} / ${plan.sharedRead} / ${plan.sharedDirtied} | ${plan.walBytes ?? '?'} |`,
      );
    console.log('\n| goal | measured | met |\n|---|---|---|');
    for (const [name, value, met] of goals) console.log(`| ${name} | ${value} | ${met ? 'yes' : 'NO'} |`);
    if (admin) console.log(`\nDeep-page plan at ${SEED_ROWS.toLocaleString()} rows:\n${admin.plan}`);

    await mkdir('bench-results', { recursive: true });
    await writeFile('bench-results/explain.txt', plans.map((plan) => `-- ${plan.label} (${db.label})\n${plan.text}\n`).join('\n'));
    await writeFile(
      'bench-results/bench.json',
      `${JSON.stringify({ ...report, goals: goals.map(([name, value, met]) => ({ name, value, met })) }, null, 2)}\n`,
    );
    log('wrote bench-results/bench.json and bench-results/explain.txt');
  } finally {
    for (const app of pooledApps) await app.stop();
    await pooler?.stop();
    for (const app of apps) await app.stop();
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
