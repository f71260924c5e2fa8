import { existsSync, statSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { eventBody, freshScenario } from '../support/stripe-events';
import { baseUrl, screenshot, SCREENSHOTS, signIn, withDatabase } from './helpers';

test.describe.configure({ mode: 'serial' });

const ADMIN = 'admin@example.com';
const OUTCOMES = ['processed', 'duplicate', 'stale', 'ignored', 'failed', 'rejected'];

/** Signs in as an administrator: `users.role` where the column exists, the setup's ADMIN_EMAILS otherwise. */
async function signInAsAdmin(page: Page) {
  await signIn(page, ADMIN);
  await withDatabase(async (client) => {
    const role = await client.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'role'`);
    if (role.rowCount) await client.query(`UPDATE users SET role = 'admin' WHERE email = $1`, [ADMIN]);
  });
}

type Counts = { processed: number; duplicate: number; stale: number; ignored: number; failed: number; rejected: number };

/** Writes one hour's deliveries the way the pipeline records them: event rows, the duplicate and rejection counters. */
async function seedHour(hour: Date, counts: Counts, rejectionReasons: Record<string, number>) {
  const rows: [string, string | null][] = [
    ...Array.from({ length: counts.processed }, (): [string, null] => ['processed', null]),
    ...Array.from({ length: counts.stale }, (): [string, string] => ['processed', 'stale']),
    ...Array.from({ length: counts.ignored }, (): [string, null] => ['ignored', null]),
    ...Array.from({ length: counts.failed }, (): [string, null] => ['failed', null]),
  ];
  await withDatabase(async (client) => {
    await client.query(
      `INSERT INTO stripe_webhook_events (id, type, status, note, received_at)
       SELECT $1 || '_' || i, 'customer.subscription.updated', status, note, $2::timestamptz + i * interval '1 minute'
       FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS e(status, note, i)`,
      [`evt_chart_${hour.getTime()}`, hour, rows.map((row) => row[0]), rows.map((row) => row[1])],
    );
    if (counts.duplicate)
      await client.query('INSERT INTO stripe_webhook_duplicates (hour, count) VALUES ($1, $2)', [hour, counts.duplicate]);
    for (const [reason, count] of Object.entries(rejectionReasons)) {
      await client.query('INSERT INTO stripe_webhook_rejections (hour, reason, count) VALUES ($1, $2, $3)', [hour, reason, count]);
    }
  });
}

test('an administrator reads deliveries per hour by outcome with JavaScript off', async ({ browser, page }) => {
  // Known hours: three hours ago (in both charts) and fifty hours ago (in the week's only).
  const { recent, older } = await withDatabase(
    async (client) =>
      (
        await client.query<{ recent: Date; older: Date }>(
          `SELECT date_trunc('hour', now()) - interval '3 hours' AS recent, date_trunc('hour', now()) - interval '50 hours' AS older`,
        )
      ).rows[0]!,
  );
  await seedHour(
    recent,
    { processed: 3, duplicate: 5, stale: 2, ignored: 1, failed: 4, rejected: 7 },
    { invalid_signature: 6, timestamp_out_of_tolerance: 1 },
  );
  await seedHour(older, { processed: 11, duplicate: 0, stale: 0, ignored: 6, failed: 0, rejected: 9 }, { missing_signature: 9 });

  await signInAsAdmin(page);
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const noScript = await context.newPage();
  await noScript.goto(`${baseUrl()}/admin/webhooks`);
  const day = noScript.getByRole('region', { name: 'Deliveries per hour, last 24 hours' });
  const week = noScript.getByRole('region', { name: 'Deliveries per hour, last 7 days' });

  for (const chart of [day, week]) {
    await expect(chart.locator('svg')).toHaveCount(1);
    await expect(chart.getByRole('img', { name: /^Deliveries per hour, last (24 hours|7 days), by outcome/ })).toBeVisible();
    await expect(chart.getByRole('list', { name: /^Legend/ }).getByRole('listitem')).toHaveText(
      OUTCOMES.map((outcome) => new RegExp(`^${outcome} [\\d,]+$`)),
    );
    await expect(chart.locator('svg').getByText('Deliveries per hour', { exact: true })).toHaveCount(1);
    await expect(chart.locator('svg').getByText('Hour (UTC)', { exact: true })).toHaveCount(1);
  }
  // The bar itself carries the hour's numbers (a hover title), not only the table.
  await expect(day.locator('svg g > title', { hasText: '3 processed, 5 duplicate, 2 stale, 1 ignored, 4 failed, 7 rejected' })).toHaveCount(
    1,
  );
  await expect(
    week.locator('svg g > title', { hasText: '11 processed, 0 duplicate, 0 stale, 6 ignored, 0 failed, 9 rejected' }),
  ).toHaveCount(1);
  await expect(day.locator('svg g > title', { hasText: '11 processed' })).toHaveCount(0);

  await screenshot(noScript, 'admin-chart');
  const file = `${SCREENSHOTS}/admin-chart.png`;
  expect(existsSync(file)).toBe(true);
  expect(statSync(file).size).toBeGreaterThan(10_000);

  // The data tables open without a script (<details>) and give each hour's numbers.
  const cellsOf = (chart: typeof day, hour: Date) =>
    chart
      .getByRole('row')
      .filter({ has: noScript.locator(`time[datetime="${hour.toISOString()}"]`) })
      .getByRole('cell');
  await day.getByText('Table: deliveries per hour, last 24 hours').click();
  await expect(cellsOf(day, recent)).toHaveText(['3', '5', '2', '1', '4', '7', '22']);
  await expect(day.getByRole('row')).toHaveCount(25);
  await week.getByText('Table: deliveries per hour, last 7 days').click();
  await expect(cellsOf(week, recent)).toHaveText(['3', '5', '2', '1', '4', '7', '22']);
  await expect(cellsOf(week, older)).toHaveText(['11', '0', '0', '6', '0', '9', '26']);
  await expect(week.getByRole('row')).toHaveCount(169);
  await context.close();
});

test('an administrator replays an ignored event from its detail page', async ({ page }) => {
  const userId = await withDatabase(
    async (client) =>
      (await client.query<{ id: string }>('INSERT INTO users (email) VALUES ($1) RETURNING id', [`replay+${Date.now()}@example.com`]))
        .rows[0]!.id,
  );
  const scenario = { ...freshScenario(), userId };
  const event = JSON.parse(eventBody('customer.subscription.created', scenario, { status: 'active' })) as {
    id: string;
    type: string;
    created: number;
    api_version: string;
  };
  // Recorded while the deployment ran in the other mode by mistake: ignored, never applied.
  await withDatabase((client) =>
    client.query(
      `INSERT INTO stripe_webhook_events (id, type, api_version, livemode, stripe_created_at, received_at, status, note, object_id, payload)
     VALUES ($1, $2, $3, false, to_timestamp($4), now() - interval '1 hour', 'ignored', 'livemode_mismatch', $5, $6::jsonb)`,
      [event.id, event.type, event.api_version, event.created, scenario.subscriptionId, JSON.stringify(event)],
    ),
  );

  await signInAsAdmin(page);
  await page.goto(`${baseUrl()}/admin/webhooks/${event.id}`);
  await expect(page.getByTestId('event-status')).toHaveText('ignored (livemode_mismatch)');
  await expect(page.getByRole('button', { name: 'Reprocess event' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Replay' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Replayed' })).toHaveText('Replayed: applied, the event is now processed.');
  await expect(page.getByTestId('event-status')).toHaveText('processed');
  await expect(page.getByRole('button', { name: 'Replay' })).toHaveCount(0);
  const subscription = await withDatabase(
    async (client) =>
      (
        await client.query('SELECT user_id, plan, status, is_active FROM user_subscriptions WHERE stripe_subscription_id = $1', [
          scenario.subscriptionId,
        ])
      ).rows,
  );
  expect(subscription).toEqual([{ user_id: userId, plan: 'pro', status: 'active', is_active: true }]);
});
