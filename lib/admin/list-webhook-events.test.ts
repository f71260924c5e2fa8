import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { testPool } from '../../tests/support/database';
import { getWebhookCounters } from './get-webhook-counters';
import { listWebhookEvents } from './list-webhook-events';

const pool = testPool(inject('databaseUrl'));
const prefix = `evt_list_${Date.now()}`;
const type = `test.pagination.${Date.now()}`;

beforeAll(async () => {
  // 25 events of a dedicated type, some sharing a received_at to exercise the id tie-break.
  await pool.query(
    `INSERT INTO stripe_webhook_events (id, type, status, received_at)
     SELECT $1 || '_' || lpad(i::text, 2, '0'), $2, CASE WHEN i % 5 = 0 THEN 'failed' ELSE 'processed' END,
            timestamptz '2026-01-01' + (i / 2) * interval '1 second'
     FROM generate_series(1, 25) AS i`,
    [prefix, type],
  );
});
afterAll(() => pool.end());

describe('listWebhookEvents', () => {
  it('pages newest first by cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await listWebhookEvents({ type, cursor, limit: 7 });
      seen.push(...result.events.map((event) => event.id));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    const expected = Array.from({ length: 25 }, (_, i) => `${prefix}_${String(25 - i).padStart(2, '0')}`);
    expect(seen).toEqual(expected);
  });

  it('filters by status and type, and ignores a malformed cursor', async () => {
    const failed = await listWebhookEvents({ type, status: 'failed', limit: 50 });
    expect(failed.events.map((event) => event.id)).toEqual([25, 20, 15, 10, 5].map((i) => `${prefix}_${String(i).padStart(2, '0')}`));
    expect(failed.nextCursor).toBeNull();
    expect((await listWebhookEvents({ type, cursor: 'not-a-cursor', limit: 3 })).events).toHaveLength(3);
    expect((await listWebhookEvents({ type: 'no.such.type' })).events).toEqual([]);
  });

  it('has an index that serves the page order without sorting (the plan at a million rows is in the benchmark)', async () => {
    const client = await pool.connect();
    try {
      // A small table is cheaper to scan; forbid scans and sorts to prove an index yields this order.
      await client.query('BEGIN; SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id FROM stripe_webhook_events WHERE (received_at, id) < (now(), 'evt_z') ORDER BY received_at DESC, id DESC LIMIT 51`,
      );
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index (Only )?Scan using stripe_webhook_events_received_at_id_idx/);
      expect(plan).not.toMatch(/Sort/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

describe('getWebhookCounters', () => {
  it('raises the signature badge over ALERT_SIGNATURE_FAILURES_PER_HOUR (10) failures this hour, as the alert does', async () => {
    const setInvalidSignatures = (count: number) =>
      pool.query(
        `INSERT INTO stripe_webhook_rejections (hour, reason, count) VALUES (date_trunc('hour', now()), 'invalid_signature', $1)
         ON CONFLICT (hour, reason) DO UPDATE SET count = EXCLUDED.count`,
        [count],
      );
    await setInvalidSignatures(0);
    const others = (await getWebhookCounters()).signatureFailuresLastHour;
    await setInvalidSignatures(10 - others);
    expect(await getWebhookCounters()).toMatchObject({ signatureFailuresLastHour: 10, signatureAlertOver: 10, signatureAlert: false });
    await setInvalidSignatures(11 - others);
    expect(await getWebhookCounters()).toMatchObject({ signatureFailuresLastHour: 11, signatureAlert: true });
  });

  it('counts redeliveries in the hour they arrived, as a share of every delivery of the last 24 h', async () => {
    const day = async () =>
      (
        await pool.query<{ events: number; duplicates: number }>(
          `SELECT (SELECT count(*)::int FROM stripe_webhook_events WHERE received_at > now() - interval '24 hours') AS events,
              (SELECT coalesce(sum(count), 0)::int FROM stripe_webhook_duplicates WHERE hour > date_trunc('hour', now() - interval '24 hours')) AS duplicates`,
        )
      ).rows[0]!;
    const before = await day();
    await pool.query(`INSERT INTO stripe_webhook_duplicates (hour, count) VALUES (date_trunc('hour', now()), 3)
      ON CONFLICT (hour) DO UPDATE SET count = stripe_webhook_duplicates.count + 3`);
    // A redelivery two days ago is outside the window.
    await pool.query(`INSERT INTO stripe_webhook_duplicates (hour, count) VALUES (date_trunc('hour', now() - interval '2 days'), 50)
      ON CONFLICT (hour) DO UPDATE SET count = stripe_webhook_duplicates.count + 50`);
    const counters = await getWebhookCounters();
    expect(before.duplicates + 3).toBe((await day()).duplicates);
    expect(counters.duplicateShare24h).toBeCloseTo((before.duplicates + 3) / (before.events + before.duplicates + 3), 10);
  });

  it('reports failed events and rates as shares', async () => {
    const counters = await getWebhookCounters();
    expect(counters.failedEvents).toBeGreaterThanOrEqual(5);
    expect(counters.signatureAlertOver).toBe(10);
    expect(counters.signatureAlert).toBe(counters.signatureFailuresLastHour > 10);
    for (const share of [counters.successRate24h, counters.duplicateShare24h]) {
      if (share !== null) expect(share).toBeGreaterThanOrEqual(0);
      if (share !== null) expect(share).toBeLessThanOrEqual(1);
    }
  });
});
