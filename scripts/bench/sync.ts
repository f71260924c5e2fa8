// `npx tsx scripts/bench/sync.ts`: times a full Stripe sync of 10,000 subscriptions (BENCH_SUBSCRIPTIONS)
// listed by the local Stripe API double at Stripe's page size of 100, applied to the embedded
// PostgreSQL with durable settings (fsync on): the first run (every row created), then a second one
// (every row unchanged). Prints the figures; asserts nothing.
import '../load-env';
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../lib/db/embedded-postgres';
import { freePort } from '../../tests/support/app-server';
import { migrateDeploy } from '../../tests/support/database';
import { startStripeSubscriptionsApi } from '../../tests/support/stripe-subscriptions-api';

const SUBSCRIPTIONS = Number(process.env.BENCH_SUBSCRIPTIONS ?? 10_000);
// One subscriber in five has signed up in the app already (linked by customer).
const LINKED_SHARE = 5;
const log = (message: string) => console.log(`[bench sync ${new Date().toISOString().slice(11, 19)}] ${message}`);

const dataDir = `.data/bench/sync-${process.pid}`;
await rm(dataDir, { recursive: true, force: true });
const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), fsync: true });
const api = await startStripeSubscriptionsApi({ secretKey: 'sk_test_bench_sync' });
try {
  migrateDeploy(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const created = Math.floor(Date.now() / 1000) - 200 * 86_400;
  const users: [string, string][] = [];
  for (let index = 0; index < SUBSCRIPTIONS; index += 1) {
    const customer = `cus_bench_${index}`;
    api.add({
      id: `sub_bench_${index}`,
      customer,
      created: created + index,
      status: index % 10 === 0 ? 'canceled' : 'active',
      interval: index % 3 === 0 ? 'year' : 'month',
    });
    if (index % LINKED_SHARE === 0) users.push([`user_bench_${index}`, customer]);
  }
  await pool.query(
    "INSERT INTO users (id, email, stripe_customer_id) SELECT u.id, u.id || '@example.com', u.customer FROM unnest($1::text[], $2::text[]) AS u(id, customer)",
    [users.map(([id]) => id), users.map(([, customer]) => customer)],
  );
  await pool.end();

  process.env.DATABASE_URL = db.url;
  process.env.STRIPE_SECRET_KEY = api.secretKey;
  process.env.STRIPE_API_URL = api.url;
  const { syncStripeSubscriptions } = await import('../../lib/billing/sync/sync-stripe-subscriptions');

  for (const label of ['first run (adoption)', 'second run (nothing to change)']) {
    const startedAt = performance.now();
    const result = await syncStripeSubscriptions();
    const seconds = (performance.now() - startedAt) / 1000;
    log(
      `${label}: ${SUBSCRIPTIONS} subscriptions in ${seconds.toFixed(1)} s (${Math.round(SUBSCRIPTIONS / seconds)}/s, ${api.listRequests().length} list requests so far): ${JSON.stringify(result)}`,
    );
  }
  const { getPool } = await import('../../lib/db/pool');
  await getPool().end();
} finally {
  await api.close();
  await db.stop();
  await rm(dataDir, { recursive: true, force: true });
}
