import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PoolClient } from 'pg';
import type Stripe from 'stripe';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { testPool } from '../../../../tests/support/database';
import { Prisma } from '../../../db/generated/client';
import { newEventGate } from '../event-store';
import { effectOfEvent, HANDLED_EVENT_TYPES } from '.';

// PostgreSQL runs a data-modifying CTE even when the outer `INSERT ... WHERE gate` writes nothing, so
// a write without the gate would apply again on every redelivery. This walks every allowlisted type
// with its example event and fails on any CTE that writes without carrying the gate; then runs each
// effect under the pipeline's real gate, closed, and fails on any row it writes.

const TEMPLATES = path.resolve(import.meta.dirname, '../../../dev/event-templates');
const SENTINEL = 'gate_sentinel_5e1f';
// A statement, or a call of a database function that writes (migrations define them).
const WRITES = /\b(INSERT|UPDATE|DELETE|MERGE|billing_upsert_subscription)\b/i;

function exampleEvent(type: string): Stripe.Event {
  const file = path.join(TEMPLATES, `${type}.json`);
  if (!existsSync(file)) throw new Error(`${type} is handled but has no example event in lib/dev/event-templates/`);
  return JSON.parse(readFileSync(file, 'utf8')) as Stripe.Event;
}

describe('effectOfEvent', () => {
  it('walks a non-empty allowlist', () => {
    expect(HANDLED_EVENT_TYPES).toContain('customer.subscription.updated');
  });

  it.each(HANDLED_EVENT_TYPES)('%s: every write in its effect carries the pipeline gate', (type) => {
    const effect = effectOfEvent(exampleEvent(type), Prisma.raw(SENTINEL));
    expect(effect).not.toBeNull();
    const ungated = (effect?.ctes ?? []).map((cte) => cte.sql).filter((sql) => WRITES.test(sql) && !sql.includes(SENTINEL));
    expect(ungated).toEqual([]);
  });

  it('is null for a type outside the allowlist', () => {
    expect(effectOfEvent(exampleEvent('customer.created'), Prisma.raw(SENTINEL))).toBeNull();
  });
});

describe('effectOfEvent under a closed gate', () => {
  const pool = testPool(inject('databaseUrl'));
  afterAll(() => pool.end());

  async function runEffect(client: PoolClient, event: Stripe.Event, gate: Prisma.Sql): Promise<void> {
    const effect = effectOfEvent(event, gate);
    if (!effect) throw new Error(`${event.type} has no effect`);
    const select = Prisma.sql`SELECT ${effect.userId} AS user_id, ${effect.note} AS note`;
    const sql = effect.ctes.length > 0 ? Prisma.sql`WITH ${Prisma.join(effect.ctes, ',\n')} ${select}` : select;
    await client.query(sql.text, sql.values);
  }

  /** Rows inserted, updated or deleted so far by this transaction, as PostgreSQL counts them. */
  async function rowsWritten(client: PoolClient): Promise<number> {
    const { rows } = await client.query<{ n: string }>(
      'SELECT COALESCE(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) AS n FROM pg_stat_xact_user_tables',
    );
    return Number(rows[0]?.n);
  }

  // In one transaction, rolled back: the subscription and the event applied once (so every row the
  // effect touches exists and would change again), then the same effect for an id already recorded.
  it.each(HANDLED_EVENT_TYPES)('%s: nothing is written', async (type) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await runEffect(client, exampleEvent('customer.subscription.created'), Prisma.sql`true`);
      const event = exampleEvent(type);
      await runEffect(client, event, Prisma.sql`true`);
      const recorded = `evt_gate_closed_${randomUUID()}`;
      await client.query("INSERT INTO stripe_webhook_events (id, type, status) VALUES ($1, 'test.recorded', 'processed')", [recorded]);
      const before = await rowsWritten(client);
      await runEffect(client, event, newEventGate(recorded));
      expect(await rowsWritten(client)).toBe(before);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
