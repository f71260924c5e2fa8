import { afterAll, describe, expect, inject, it } from 'vitest';
import { testPool } from '../../../tests/support/database';
import { EVENT_STATUSES, eventStatusSql } from './event-statuses';

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

describe('EVENT_STATUSES', () => {
  it('is exactly what the database CHECK on stripe_webhook_events.status allows', async () => {
    const { rows } = await pool.query<{ definition: string }>(
      `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
       WHERE conrelid = 'stripe_webhook_events'::regclass AND conname = 'stripe_webhook_events_status_check'`,
    );
    expect(rows).toHaveLength(1);
    // PostgreSQL prints an IN list as `(status = ANY (ARRAY['processed'::text, ...]))`.
    const allowed = [...(rows[0]?.definition ?? '').matchAll(/'([^']*)'::text/g)].map((match) => match[1]);
    expect(allowed).toEqual([...EVENT_STATUSES]);
  });

  it('each status is a literal the database accepts, and nothing else is let through', async () => {
    for (const status of EVENT_STATUSES) {
      expect(eventStatusSql(status).sql).toBe(`'${status}'`);
    }
    // @ts-expect-error: only a recorded status may be written as a literal
    expect(() => eventStatusSql("processed'; DROP TABLE users; --")).toThrow();
  });
});
