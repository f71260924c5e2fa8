import { afterAll, describe, expect, inject, it } from 'vitest';
import { testPool } from '../../tests/support/database';
import { pruneHourlyCounters } from './prune-hourly-counters';

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

// A clock in 2001: the counters this test writes (1999–2000) are the only ones older than 400 days.
const NOW = new Date('2001-03-01T00:00:00Z');
const HOUR = `CASE WHEN hour = '-infinity' THEN 'all time' ELSE to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24') END AS hour`;

describe('pruneHourlyCounters', () => {
  it('deletes counter rows older than 400 days, folding duplicates and rejections into their all-time row', async () => {
    await pool.query(
      `INSERT INTO stripe_webhook_duplicates (hour, count) VALUES ('1999-05-01T10:00:00Z', 4), ('1999-06-01T10:00:00Z', 6), ('2000-12-01T10:00:00Z', 1)`,
    );
    await pool.query(`INSERT INTO stripe_webhook_rejections (hour, reason, count) VALUES
      ('1999-05-01T10:00:00Z', 'zz_prune_test', 3), ('1999-05-01T11:00:00Z', 'zz_prune_test', 2), ('2000-12-01T10:00:00Z', 'zz_prune_test', 9)`);
    await pool.query(
      `INSERT INTO stripe_webhook_event_counts (hour, type, outcome, count) VALUES ('1999-05-01T10:00:00Z', 'zz.prune', 'processed', 8), ('2000-12-01T10:00:00Z', 'zz.prune', 'processed', 1)`,
    );

    expect(await pruneHourlyCounters(NOW)).toBe(5);
    const rejections = await pool.query(
      `SELECT ${HOUR}, count FROM stripe_webhook_rejections WHERE reason = 'zz_prune_test' ORDER BY stripe_webhook_rejections.hour`,
    );
    expect(rejections.rows).toEqual([
      { hour: 'all time', count: 5 },
      { hour: '2000-12-01 10', count: 9 },
    ]);
    const duplicates = await pool.query(
      `SELECT ${HOUR}, count FROM stripe_webhook_duplicates WHERE hour < '2001-01-01' ORDER BY stripe_webhook_duplicates.hour`,
    );
    expect(duplicates.rows).toEqual([
      { hour: 'all time', count: 10 },
      { hour: '2000-12-01 10', count: 1 },
    ]);
    expect((await pool.query(`SELECT ${HOUR} FROM stripe_webhook_event_counts WHERE type = 'zz.prune'`)).rows).toEqual([
      { hour: '2000-12-01 10' },
    ]);
    expect(await pruneHourlyCounters(NOW)).toBe(0);
  });
});
