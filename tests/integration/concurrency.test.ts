import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startApp, TEST_WEBHOOK_SECRETS, type AppServer } from '../support/app-server';
import { eventRows, subscriptionRow, testPool } from '../support/database';
import { deliver } from '../support/deliver';
import { eventBody, eventIdOf, freshScenario, type FixtureName } from '../support/stripe-events';
import { shuffle } from '../../lib/dev/shuffle';

const appUrl = inject('appUrl');
const databaseUrl = inject('databaseUrl');
const pool = testPool(databaseUrl);
const [secret] = TEST_WEBHOOK_SECRETS as [string];

let second: AppServer;
beforeAll(async () => {
  second = await startApp({ databaseUrl: inject('appDatabaseUrl'), env: inject('appDatabaseEnv') });
});
afterAll(async () => {
  await second.stop();
  await pool.end();
});

describe('exactly once under simultaneous deliveries', () => {
  it('25 simultaneous deliveries of one event: one processed, one row, 24 duplicates', async () => {
    const scenario = freshScenario();
    const body = eventBody('customer.subscription.created', scenario);
    const answers = await Promise.all(Array.from({ length: 25 }, () => deliver(appUrl, body, { secret })));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(answers.filter((answer) => answer.body.status === 'processed')).toHaveLength(1);
    expect(answers.filter((answer) => answer.body.status === 'already_processed')).toHaveLength(24);
    const rows = await eventRows(pool, eventIdOf(body));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'processed', duplicate_deliveries: 24, attempts: 1 });
  });

  it('the same across two app processes on one database', async () => {
    const body = eventBody('checkout.session.completed', freshScenario());
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => deliver(i % 2 === 0 ? appUrl : second.url, body, { secret })));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(answers.filter((answer) => answer.body.status === 'processed')).toHaveLength(1);
    const rows = await eventRows(pool, eventIdOf(body));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.duplicate_deliveries).toBe(23);
  });
});

describe('order independence', () => {
  it('shuffled concurrent updates: the newest event wins', async () => {
    const scenario = freshScenario();
    const base = 1_800_000_000;
    // Ten updates one minute apart, alternating status; the newest says past_due.
    const bodies = Array.from({ length: 10 }, (_, i) =>
      eventBody('customer.subscription.updated', scenario, {
        created: base + i * 60,
        status: i === 9 ? 'past_due' : i % 2 ? 'active' : 'trialing',
      }),
    );
    const answers = await Promise.all(shuffle(bodies).map((body, i) => deliver(i % 2 ? appUrl : second.url, body, { secret })));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const row = await subscriptionRow(pool, scenario.subscriptionId);
    expect(row).toMatchObject({ status: 'past_due', is_active: true });
    expect(row?.last_event_at?.getTime()).toBe((base + 9 * 60) * 1000);
  });

  it('canceled stays canceled whatever arrives after it', async () => {
    const scenario = freshScenario();
    const names: FixtureName[] = [
      'customer.subscription.created',
      'customer.subscription.updated.past_due',
      'customer.subscription.updated',
      'customer.subscription.deleted',
    ];
    const bodies = names.map((name) => eventBody(name, scenario));
    await deliver(appUrl, bodies[3] as string, { secret });
    const answers = await Promise.all(bodies.slice(0, 3).map((body) => deliver(appUrl, body, { secret })));
    expect(answers.map((answer) => answer.body.status)).toEqual(['stale', 'stale', 'stale']);
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'canceled', is_active: false });
  });

  it.each([
    ['subscription before checkout', ['customer.subscription.created', 'checkout.session.completed']],
    ['checkout before subscription', ['checkout.session.completed', 'customer.subscription.created']],
  ] as const)('%s: the user ends up linked and active', async (_, order) => {
    const scenario = freshScenario();
    // The user signed up before paying: the webhook links users, it never creates them.
    await pool.query('INSERT INTO users (id) VALUES ($1)', [scenario.userId]);
    for (const name of order) {
      const event = JSON.parse(eventBody(name, scenario)) as { data: { object: { metadata: Record<string, string> | null } } };
      // Without metadata, only checkout can tell whose subscription it is.
      if (name === 'customer.subscription.created') event.data.object.metadata = {};
      expect((await deliver(appUrl, JSON.stringify(event), { secret })).status).toBe(200);
    }
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({
      user_id: scenario.userId,
      status: 'active',
      is_active: true,
      plan: 'pro',
    });
    const { rows } = await pool.query('SELECT stripe_customer_id FROM users WHERE id = $1', [scenario.userId]);
    expect(rows[0]?.stripe_customer_id).toBe(scenario.customerId);
  });
});
