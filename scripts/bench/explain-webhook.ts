// EXPLAIN (ANALYZE, BUFFERS) of the webhook's own statement (`newEventQuery`) for a new event, a
// stale one (older than what the subscription row holds) and a duplicate (the id already recorded),
// plus the statement that counts a duplicate delivery; each run in a transaction rolled back.
import pg from 'pg';
import type Stripe from 'stripe';
import { eventBody, freshScenario } from '../../tests/support/stripe-events';

export type Plan = {
  label: string;
  executionMs: number;
  planningMs: number;
  sharedHit: number;
  sharedRead: number;
  sharedDirtied: number;
  walBytes: number | null;
  text: string;
};

function summarise(label: string, lines: string[]): Plan {
  const text = lines.join('\n');
  const number = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  // The top node's buffers line holds the statement's totals.
  const buffers = lines.find((line) => /Buffers: shared/.test(line)) ?? '';
  const count = (kind: string) => Number(new RegExp(`${kind}=(\\d+)`).exec(buffers)?.[1] ?? 0);
  const wal = /WAL: .*bytes=(\d+)/.exec(text);
  return {
    label,
    executionMs: number(/Execution Time: ([\d.]+) ms/),
    planningMs: number(/Planning Time: ([\d.]+) ms/),
    sharedHit: count('hit'),
    sharedRead: count('read'),
    sharedDirtied: count('dirtied'),
    walBytes: wal ? Number(wal[1]) : null,
    text,
  };
}

async function explain(client: pg.Client, label: string, statement: { text: string; values: unknown[] }): Promise<Plan> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>({
      text: `EXPLAIN (ANALYZE, BUFFERS, WAL, VERBOSE) ${statement.text}`,
      values: statement.values,
    });
    return summarise(
      label,
      rows.map((row) => row['QUERY PLAN']),
    );
  } finally {
    await client.query('ROLLBACK');
  }
}

/** The plans, each after one real run of the same kind (so caches are as warm as under load). */
export async function explainWebhookStatements(databaseUrl: string): Promise<Plan[]> {
  const { newEventQuery } = await import('../../lib/billing/webhook/process-stripe-event');
  const { countDuplicateQuery } = await import('../../lib/billing/webhook/event-store');
  const plain = (sql: { text: string; values: unknown[] }) => ({ text: sql.text, values: sql.values });
  const statementOf = (payload: string) => plain(newEventQuery(JSON.parse(payload) as Stripe.Event, payload));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const now = Math.floor(Date.now() / 1000);
    const recorded = freshScenario();
    const first = eventBody('customer.subscription.updated', recorded, { created: now });
    await client.query(statementOf(first));
    const plans: Plan[] = [];
    for (let pass = 0; pass < 2; pass += 1) {
      // The first pass warms the plan cache and buffers; the second is the one kept.
      const results = [
        await explain(client, 'new event', statementOf(eventBody('customer.subscription.updated', freshScenario(), { created: now }))),
        await explain(
          client,
          'stale event (older than the stored subscription)',
          statementOf(eventBody('customer.subscription.updated', recorded, { created: now - 3_600 })),
        ),
        await explain(client, 'duplicate (id already recorded): the same statement', statementOf(first)),
        await explain(
          client,
          'duplicate: counting the redelivery (countDuplicateQuery)',
          plain(countDuplicateQuery((JSON.parse(first) as Stripe.Event).id, ['failed'])),
        ),
      ];
      if (pass === 1) plans.push(...results);
    }
    return plans;
  } finally {
    await client.end();
  }
}
