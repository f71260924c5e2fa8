import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { testPool } from '../../tests/support/database';
import { getDeliveryChart } from './get-delivery-chart';

const pool = testPool(inject('databaseUrl'));
const prefix = `evt_chart_${Date.now()}`;
// Hours no other test writes to: the chart of 2024-02-29 10:00–12:59 UTC.
const at = (time: string) => `2024-02-29T${time}Z`;

beforeAll(async () => {
  const events: [string, string, string | null][] = [
    [at('09:59:59.999'), 'processed', null], // the hour before the chart
    [at('10:00:00'), 'processed', null],
    [at('10:15:00'), 'processed', 'livemode_mismatch'],
    [at('10:20:00'), 'processed', 'stale'],
    [at('10:30:00'), 'ignored', null],
    [at('10:45:00'), 'failed', null],
    [at('12:10:00'), 'processed', 'stale'],
    [at('12:20:00'), 'processed', 'stale'],
    [at('12:59:59.999'), 'failed', null],
    [at('13:00:00'), 'failed', null], // the hour after
  ];
  await pool.query(
    `INSERT INTO stripe_webhook_events (id, type, status, note, received_at)
     SELECT $1 || '_' || i, 'customer.subscription.updated', status, note, received_at
     FROM unnest($2::timestamptz[], $3::text[], $4::text[]) WITH ORDINALITY AS e(received_at, status, note, i)`,
    [prefix, events.map((event) => event[0]), events.map((event) => event[1]), events.map((event) => event[2])],
  );
  await pool.query(`INSERT INTO stripe_webhook_duplicates (hour, count) VALUES ($1, 7), ($2, 4), ($3, 1), ($4, 9)`, [
    at('09:00:00'),
    at('11:00:00'),
    at('12:00:00'),
    at('13:00:00'),
  ]);
  await pool.query(
    `INSERT INTO stripe_webhook_rejections (hour, reason, count)
     VALUES ($1, 'invalid_signature', 3), ($1, 'timestamp_out_of_tolerance', 5), ($2, 'missing_signature', 2), ($3, 'invalid_signature', 6)`,
    [at('11:00:00'), at('12:00:00'), at('13:00:00')],
  );
});
afterAll(() => pool.end());

describe('getDeliveryChart', () => {
  it('counts each outcome per hour, oldest first, with the empty outcomes as zeros', async () => {
    const chart = await getDeliveryChart({ hours: 3, now: new Date(at('12:34:56')) });
    expect(chart.map(({ hour, ...counts }) => ({ hour: hour.toISOString(), ...counts }))).toEqual([
      { hour: '2024-02-29T10:00:00.000Z', processed: 2, duplicate: 0, stale: 1, ignored: 1, failed: 1, rejected: 0 },
      { hour: '2024-02-29T11:00:00.000Z', processed: 0, duplicate: 4, stale: 0, ignored: 0, failed: 0, rejected: 8 },
      { hour: '2024-02-29T12:00:00.000Z', processed: 0, duplicate: 1, stale: 2, ignored: 0, failed: 1, rejected: 2 },
    ]);
  });

  it('fills every hour of a week, ending with the hour that holds now', async () => {
    const chart = await getDeliveryChart({ now: new Date(at('12:00:00')) });
    expect(chart).toHaveLength(168);
    expect(chart[0]?.hour.toISOString()).toBe('2024-02-22T13:00:00.000Z');
    expect(chart.at(-1)?.hour.toISOString()).toBe('2024-02-29T12:00:00.000Z');
    expect(
      chart.slice(0, 10).every((hour) => hour.processed + hour.duplicate + hour.stale + hour.ignored + hour.failed + hour.rejected === 0),
    ).toBe(true);
    expect(chart.at(-3)).toMatchObject({ processed: 2, stale: 1, ignored: 1, failed: 1 });
  });

  it('counts stale events from their partial index, without reading the rows', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT date_trunc('hour', received_at), count(*) FROM stripe_webhook_events
         WHERE status = 'processed' AND note = 'stale' AND received_at >= now() - interval '7 days' GROUP BY 1`,
      );
      expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Index Only Scan using stripe_webhook_events_stale_received_at_idx/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
