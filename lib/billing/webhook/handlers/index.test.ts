import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { Prisma } from '../../../db/generated/client';
import { effectOfEvent, HANDLED_EVENT_TYPES } from '.';

// PostgreSQL runs a data-modifying CTE even when the outer `INSERT ... WHERE gate` writes nothing, so
// a write without the gate would apply again on every redelivery. This walks every allowlisted type
// with its example event and fails on any CTE that writes without carrying the gate.

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
