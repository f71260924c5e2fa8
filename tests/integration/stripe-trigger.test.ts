import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TEST_WEBHOOK_SECRETS } from '../support/app-server';
import { eventRows, subscriptionRow, testPool } from '../support/database';

const run = promisify(execFile);
const appUrl = inject('appUrl');
const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

async function trigger(...args: string[]) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/stripe-trigger.ts', ...args, '--url', appUrl], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRETS[1] },
  });
  return stdout;
}

describe('npm run stripe:trigger', () => {
  it('posts a signed subscription event with fresh ids that the app processes', async () => {
    const output = await trigger('customer.subscription.created', '--user', 'user_trigger_test');
    expect(output).toMatch(/<-- \[200\] \{"status":"processed","event_id":"evt_\w+"\}/);
    const subscriptionId = /subscription=(sub_\w+)/.exec(output)?.[1] ?? '';
    expect(await subscriptionRow(pool, subscriptionId)).toMatchObject({ user_id: 'user_trigger_test', status: 'active', plan: 'pro' });

    const second = await trigger('customer.subscription.created', '--user', 'user_trigger_test');
    expect(/subscription=(sub_\w+)/.exec(second)?.[1]).not.toBe(subscriptionId);
  });

  it('speaks the catalog: a Team price with seats, and a subscription schedule', async () => {
    const output = await trigger('customer.subscription.created', '--user', 'user_trigger_team', '--price', 'team_annual', '--seats', '7');
    expect(output).toMatch(/<-- \[200\] \{"status":"processed"/);
    const subscriptionId = /subscription=(sub_\w+)/.exec(output)?.[1] ?? '';
    expect(await subscriptionRow(pool, subscriptionId)).toMatchObject({
      plan: 'team',
      billing_period: 'annual',
      stripe_price_id: 'price_sim_team_annual',
    });
    const { rows } = await pool.query<{ quantity: number }>('SELECT quantity FROM user_subscriptions WHERE stripe_subscription_id = $1', [
      subscriptionId,
    ]);
    expect(rows[0]?.quantity).toBe(7);

    const schedule = await trigger('subscription_schedule.created', '--subscription', subscriptionId, '--user', 'user_trigger_team');
    expect(schedule).toMatch(/<-- \[200\] \{"status":"processed"/);
    const pending = await pool.query<{ pending_plan: string }>(
      'SELECT pending_plan FROM user_subscriptions WHERE stripe_subscription_id = $1',
      [subscriptionId],
    );
    expect(pending.rows[0]?.pending_plan).toBe('pro');
  });

  it('sends any other type as a minimal event that is recorded as ignored', async () => {
    const output = await trigger('payment_intent.succeeded');
    const eventId = /"event_id":"(evt_\w+)"/.exec(output)?.[1] ?? '';
    expect(output).toContain('"status":"ignored"');
    expect((await eventRows(pool, eventId))[0]).toMatchObject({ type: 'payment_intent.succeeded', status: 'ignored' });
  });
});
