import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { testPool } from '../../tests/support/database';
import { pruneWebhookEvents } from './prune-webhook-events';

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

// A clock in the year 2000, so no other test's rows are ever older than this retention.
const NOW = new Date('2000-06-01T00:00:00Z');
const daysBefore = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

async function seed(prefix: string, rows: [status: string, daysAgo: number][]) {
  await pool.query(
    `INSERT INTO stripe_webhook_events (id, status, received_at) SELECT $1 || '_' || i, status, received_at
     FROM unnest($2::text[], $3::timestamptz[]) WITH ORDINALITY AS e(status, received_at, i)`,
    [prefix, rows.map((row) => row[0]), rows.map((row) => daysBefore(row[1]))],
  );
}
/** Sets how far the hourly counts reach (this file alone among the tests beside the code moves it). */
const countedUntil = (until: Date | null) =>
  pool.query(
    `INSERT INTO stripe_monitor_state (id, counted_until) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET counted_until = EXCLUDED.counted_until`,
    [until],
  );
// By default every event of the test clock's past is counted, so retention alone decides.
beforeEach(() => countedUntil(NOW));

const left = async (prefix: string) =>
  (
    await pool.query<{ id: string; status: string }>(`SELECT id, status FROM stripe_webhook_events WHERE id LIKE $1 || '_%' ORDER BY id`, [
      prefix,
    ])
  ).rows;

describe('pruneWebhookEvents', () => {
  it('deletes events older than the retention in batches, and keeps failed ones and younger ones', async () => {
    const prefix = 'evt_prune_batches';
    await seed(prefix, [
      ['processed', 91],
      ['ignored', 95],
      ['processed', 100],
      ['processed', 150],
      ['processed', 91],
      ['failed', 120],
      ['processed', 89],
      ['failed', 1],
    ]);
    const result = await pruneWebhookEvents({ retentionDays: 90, batchSize: 2, pauseMs: 0, now: NOW });
    expect(result).toEqual({ deleted: 5, batches: 3, more: false });
    expect(await left(prefix)).toEqual([
      { id: `${prefix}_6`, status: 'failed' },
      { id: `${prefix}_7`, status: 'processed' },
      { id: `${prefix}_8`, status: 'failed' },
    ]);
  });

  it('stops when its time budget is spent, saying more is left, and the next call continues', async () => {
    const prefix = 'evt_prune_budget';
    await seed(prefix, [
      ['processed', 200],
      ['processed', 201],
      ['processed', 202],
    ]);
    const first = await pruneWebhookEvents({ retentionDays: 150, batchSize: 1, budgetMs: -1, now: NOW });
    expect(first).toEqual({ deleted: 1, batches: 1, more: true });
    expect(await left(prefix)).toHaveLength(2);
    expect((await pruneWebhookEvents({ retentionDays: 150, batchSize: 1, pauseMs: 0, now: NOW })).deleted).toBe(2);
    expect(await left(prefix)).toEqual([]);
  });

  it('keeps events the hourly counts do not hold yet, so a counter never goes down', async () => {
    const prefix = 'evt_prune_uncounted';
    await seed(prefix, [
      ['processed', 200],
      ['processed', 120],
      ['ignored', 100],
    ]);
    // A count that has reached 150 days before the clock: the two younger events are not counted yet.
    await countedUntil(daysBefore(150));
    expect((await pruneWebhookEvents({ retentionDays: 90, pauseMs: 0, now: NOW })).deleted).toBe(1);
    expect((await left(prefix)).map((row) => row.id)).toEqual([`${prefix}_2`, `${prefix}_3`]);
    // No count run yet at all: nothing is deleted.
    await countedUntil(null);
    expect((await pruneWebhookEvents({ retentionDays: 90, pauseMs: 0, now: NOW })).deleted).toBe(0);
    await countedUntil(NOW);
    expect((await pruneWebhookEvents({ retentionDays: 90, pauseMs: 0, now: NOW })).deleted).toBe(2);
    expect(await left(prefix)).toEqual([]);
  });
});
