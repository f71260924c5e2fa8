// `npm run bench:monitor`: what monitoring costs with a million stored events, on a production build
// (`next start`) over the embedded PostgreSQL (fsync on). Prints (1) the time of a /api/metrics
// scrape, the first one (which counts every past hour once) and the steady ones after it, and of a
// monitor run; (2) webhook delivery latency with and without a concurrent prune of old events,
// interleaved rounds. Asserts nothing; writes bench-results/monitor.json.
import '../load-env';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import autocannon, { type Result } from 'autocannon';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../lib/db/embedded-postgres';
import { freePort, startApp, TEST_WEBHOOK_SECRETS } from '../../tests/support/app-server';
import { migrateDeploy } from '../../tests/support/database';
import { eventBody, freshScenario, signatureHeader } from '../../tests/support/stripe-events';

const SEED_ROWS = Number(process.env.BENCH_SEED_ROWS ?? 1_000_000);
// Spread over 150 days: 40 % are older than the 90-day retention, a backlog for every prune round.
const SEED_DAYS = 150;
const SCRAPES = 40;
const DELIVERIES_PER_ROUND = Number(process.env.BENCH_DELIVERIES ?? 1_500);
const CONCURRENCY = 8;
const TOKEN = 'bench_metrics_token';
const CRON_SECRET = 'bench_cron_secret';
const [SECRET] = TEST_WEBHOOK_SECRETS as [string];

const log = (message: string) => console.log(`[bench:monitor ${new Date().toISOString().slice(11, 19)}] ${message}`);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (value: number) => Math.round(value * 10) / 10;

/** Events over the past 120 days, like the main bench's seed: four types, 1 % failed, some stale and unknown prices. */
async function seed(client: pg.Client) {
  const batch = 200_000;
  for (let offset = 0; offset < SEED_ROWS; offset += batch) {
    await client.query(
      `INSERT INTO stripe_webhook_events (id, type, api_version, livemode, stripe_created_at, received_at, processed_at, status, note, object_id, user_id, payload)
       SELECT 'evt_seed_' || i, (ARRAY['customer.subscription.updated','invoice.payment_succeeded','checkout.session.completed','customer.created'])[1 + i % 4],
              '2026-10-28.endive', false, t - interval '2 seconds', t, t,
              CASE WHEN i % 97 = 0 THEN 'failed' WHEN i % 4 = 3 THEN 'ignored' ELSE 'processed' END,
              CASE WHEN i % 89 = 0 THEN 'stale' WHEN i % 1009 = 0 THEN 'unknown_price' END,
              'sub_seed_' || (i % 50000), 'user_seed_' || (i % 50000), jsonb_build_object('id', 'evt_seed_' || i, 'object', 'event')
       FROM generate_series($1::int, $2::int) AS i,
            LATERAL (SELECT now() - make_interval(days => $4) + (i::float / $3) * make_interval(days => $4) - interval '1 hour' AS t) AS at`,
      [offset + 1, Math.min(offset + batch, SEED_ROWS), SEED_ROWS, SEED_DAYS],
    );
  }
  // A year of hourly duplicate and rejection counters.
  await client.query(
    `INSERT INTO stripe_webhook_duplicates (hour, count) SELECT date_trunc('hour', now()) - h * interval '1 hour', 3 FROM generate_series(1, 9000) AS h`,
  );
  await client.query(`INSERT INTO stripe_webhook_rejections (hour, reason, count)
    SELECT date_trunc('hour', now()) - h * interval '1 hour', r, 2 FROM generate_series(1, 9000) AS h, unnest(ARRAY['invalid_signature', 'missing_signature']) AS r`);
  await client.query('VACUUM ANALYZE');
  await client.query('CHECKPOINT');
}

async function timed(url: string, authorization: string): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization } });
  const body = await response.text();
  return { ms: performance.now() - started, status: response.status, body };
}

function deliveries(count: number) {
  return Array.from({ length: count }, () => {
    const body = eventBody('customer.subscription.updated', freshScenario());
    return { body, signature: signatureHeader(body, SECRET) };
  });
}

async function postWebhooks(url: string, count: number): Promise<{ rps: number; p50: number; p99: number; non2xx: number }> {
  const items = deliveries(count);
  let cursor = 0;
  const started = performance.now();
  const result = await new Promise<Result>((resolve, reject) => {
    autocannon(
      {
        url: `${url}/api/webhooks/stripe`,
        connections: CONCURRENCY,
        amount: count,
        method: 'POST',
        requests: [
          {
            setupRequest: (request) => {
              const item = items[cursor++ % items.length];
              return {
                ...request,
                method: 'POST',
                body: item?.body,
                headers: { 'content-type': 'application/json', 'stripe-signature': item?.signature ?? '' },
              };
            },
          },
        ],
      },
      (error, answer) => (error ? reject(error) : resolve(answer)),
    );
  });
  return {
    rps: Math.round(count / ((performance.now() - started) / 1000)),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

async function main() {
  if (!existsSync('.next/BUILD_ID')) throw new Error('No production build: run `npm run build` first.');
  const dataDir = '.data/bench-monitor';
  await rm(dataDir, { recursive: true, force: true });
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), fsync: process.env.BENCH_FSYNC !== 'off' });
  migrateDeploy(db.url);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const app = await startApp({ databaseUrl: db.url, env: { METRICS_TOKEN: TOKEN, CRON_SECRET } });
  try {
    log(`seeding ${SEED_ROWS.toLocaleString()} events over ${SEED_DAYS} days`);
    await seed(client);
    const metrics = `${app.url}/api/metrics`;
    const first = await timed(metrics, `Bearer ${TOKEN}`);
    if (first.status !== 200) throw new Error(`scrape answered ${first.status}: ${first.body.slice(0, 200)}`);
    log(`first scrape (counts ${SEED_DAYS} days of hours once): ${ms(first.ms)} ms`);
    const scrapes: number[] = [];
    for (let index = 0; index < SCRAPES; index += 1) scrapes.push((await timed(metrics, `Bearer ${TOKEN}`)).ms);
    const scrape = { p50: ms(percentile(scrapes, 50)), p95: ms(percentile(scrapes, 95)), max: ms(Math.max(...scrapes)) };
    log(
      `steady scrape over ${SCRAPES}: p50 ${scrape.p50} ms, p95 ${scrape.p95} ms, max ${scrape.max} ms (${first.body.split('\n').filter((line) => line && !line.startsWith('#')).length} samples)`,
    );
    // What the metrics read: the one statement over the counts and the uncounted tail.
    const plan = await client.query(
      `EXPLAIN (ANALYZE, BUFFERS) SELECT type, count(*) FROM stripe_webhook_events
      WHERE received_at >= coalesce($1::timestamptz, '-infinity')
        AND received_at >= coalesce((SELECT counted_until FROM stripe_monitor_state WHERE id = 1), '-infinity') GROUP BY type`,
      [
        (await client.query<{ counted_until: Date | null }>('SELECT counted_until FROM stripe_monitor_state WHERE id = 1')).rows[0]
          ?.counted_until ?? null,
      ],
    );
    log(
      `tail read: ${plan.rows
        .map((row: Record<string, string>) => Object.values(row)[0])
        .filter((line) => /Index|Execution/.test(line ?? ''))
        .map((line) => line?.trim())
        .join(' | ')}`,
    );

    log(`warming up: ${DELIVERIES_PER_ROUND} deliveries`);
    await postWebhooks(app.url, DELIVERIES_PER_ROUND);
    const rounds: { prune: boolean; rps: number; p50: number; p99: number; non2xx: number; deleted: number }[] = [];
    for (const prune of [false, true, false, true, false, true]) {
      let running = prune;
      let deleted = 0;
      // The monitor run, back to back while the deliveries run: each prunes 1,000-row batches (100 ms apart) for up to 20 s.
      const pruning = (async () => {
        while (running) {
          const run = await timed(`${app.url}/api/cron/stripe-monitor`, `Bearer ${CRON_SECRET}`);
          const answer = JSON.parse(run.body) as { retention?: { deleted?: number } };
          deleted += answer.retention?.deleted ?? 0;
          if (!answer.retention?.deleted) break;
        }
      })();
      const figures = await postWebhooks(app.url, DELIVERIES_PER_ROUND);
      running = false;
      await pruning;
      rounds.push({ prune, ...figures, deleted });
      log(
        `${prune ? 'with a prune   ' : 'without a prune'}: ${figures.rps} deliveries/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms, non-2xx ${figures.non2xx}${prune ? `, ${deleted.toLocaleString()} events pruned meanwhile` : ''}`,
      );
    }
    const median = (prune: boolean, key: 'rps' | 'p50' | 'p99') =>
      percentile(
        rounds.filter((round) => round.prune === prune).map((round) => round[key]),
        50,
      );
    for (const prune of [false, true]) {
      log(
        `median ${prune ? 'with a prune   ' : 'without a prune'}: ${median(prune, 'rps')} deliveries/s, p50 ${median(prune, 'p50')} ms, p99 ${median(prune, 'p99')} ms`,
      );
    }
    const monitorRun = await timed(`${app.url}/api/cron/stripe-monitor`, `Bearer ${CRON_SECRET}`);
    log(`a monitor run with nothing left to prune: ${ms(monitorRun.ms)} ms`);
    await mkdir('bench-results', { recursive: true });
    await writeFile(
      'bench-results/monitor.json',
      `${JSON.stringify({ seedRows: SEED_ROWS, firstScrapeMs: ms(first.ms), scrape, rounds, monitorRunMs: ms(monitorRun.ms) }, null, 2)}\n`,
    );
  } finally {
    await client.end();
    await app.stop();
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
