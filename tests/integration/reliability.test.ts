import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startApp, TEST_WEBHOOK_SECRETS, type AppServer } from '../support/app-server';
import { eventRows, testPool } from '../support/database';
import { deliver } from '../support/deliver';
import { eventBody, eventIdOf, freshScenario, type FixtureName, type Scenario } from '../support/stripe-events';
import { shuffle } from '../../lib/dev/shuffle';

const appUrl = inject('appUrl');
const databaseUrl = inject('databaseUrl');
const pool = testPool(databaseUrl);
const [secret] = TEST_WEBHOOK_SECRETS as [string];

let others: AppServer[] = [];
beforeAll(async () => {
  others = await Promise.all([startApp({ databaseUrl }), startApp({ databaseUrl })]);
});
afterAll(async () => {
  await Promise.all(others.map((app) => app.stop()));
  await pool.end();
});

const urls = () => [appUrl, ...others.map((app) => app.url)];

/** Runs `work` over `items` with at most `limit` in flight. */
async function inParallel<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index] as T, index);
    }),
  );
  return results;
}

describe('three app processes on one PostgreSQL', () => {
  it('50 simultaneous deliveries of one event: one processed, one row, 49 duplicates', async () => {
    const body = eventBody('customer.subscription.created', freshScenario());
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => deliver(urls()[i % 3] as string, body, { secret })));
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    expect(answers.filter((answer) => answer.body.status === 'processed')).toHaveLength(1);
    const rows = await eventRows(pool, eventIdOf(body));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'processed', duplicate_deliveries: 49, attempts: 1 });
  });
});

describe('a month of Stripe traffic, replayed out of order', () => {
  type Truth = { status: string; billing_period: string; is_active: boolean; price: string; lastCreated: number };

  it('200 subscriptions, each event delivered 1-3 times, shuffled and concurrent: rows equal the newest event of each', async () => {
    const start = 1_798_000_000;
    const deliveries: string[] = [];
    const truth = new Map<string, { scenario: Scenario; truth: Truth }>();
    for (let n = 0; n < 200; n += 1) {
      const scenario = freshScenario();
      const t0 = start + n * 600;
      const lifecycle: [FixtureName, number, string?][] = [
        ['customer.subscription.created', t0],
        ['checkout.session.completed', t0 + 3],
        ['invoice.payment_failed', t0 + 86_400],
        ['customer.subscription.updated.past_due', t0 + 86_400],
        ['invoice.payment_succeeded', t0 + 3 * 86_400],
        ['customer.subscription.updated', t0 + 3 * 86_400 + 60],
      ];
      const canceled = n % 4 === 0;
      if (canceled) lifecycle.push(['customer.subscription.deleted', t0 + 20 * 86_400]);
      for (const [name, created] of lifecycle) {
        const body = eventBody(name, scenario, { created });
        const copies = 1 + Math.floor(Math.random() * 3);
        for (let copy = 0; copy < copies; copy += 1) deliveries.push(body);
      }
      truth.set(scenario.subscriptionId, {
        scenario,
        truth: canceled
          ? {
              status: 'canceled',
              billing_period: 'annual',
              is_active: false,
              price: 'price_1PgagYB7WZ01zgkWq8YrLy20',
              lastCreated: t0 + 20 * 86_400,
            }
          : {
              status: 'active',
              billing_period: 'annual',
              is_active: true,
              price: 'price_1PgagYB7WZ01zgkWq8YrLy20',
              lastCreated: t0 + 3 * 86_400 + 60,
            },
      });
    }

    const answers = await inParallel(shuffle(deliveries), 16, (body, i) => deliver(urls()[i % 3] as string, body, { secret }));
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);

    const { rows } = await pool.query<{
      stripe_subscription_id: string;
      user_id: string;
      status: string;
      billing_period: string;
      is_active: boolean;
      stripe_price_id: string;
      last_event_at: Date;
    }>('SELECT * FROM user_subscriptions WHERE stripe_subscription_id = ANY($1)', [[...truth.keys()]]);
    expect(rows).toHaveLength(200);
    for (const row of rows) {
      const expected = truth.get(row.stripe_subscription_id);
      expect({
        user_id: row.user_id,
        status: row.status,
        billing_period: row.billing_period,
        is_active: row.is_active,
        price: row.stripe_price_id,
        lastCreated: row.last_event_at.getTime() / 1000,
      }).toEqual({ user_id: expected?.scenario.userId, ...expected?.truth });
    }
    const distinct = new Set(deliveries.map(eventIdOf));
    const { rows: events } = await pool.query<{ n: number; duplicates: number }>(
      'SELECT count(*)::int AS n, sum(duplicate_deliveries)::int AS duplicates FROM stripe_webhook_events WHERE id = ANY($1)',
      [[...distinct]],
    );
    expect(events[0]).toEqual({ n: distinct.size, duplicates: deliveries.length - distinct.size });
  });
});
