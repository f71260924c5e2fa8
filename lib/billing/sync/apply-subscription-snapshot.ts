import type Stripe from 'stripe';
import { Prisma } from '../../db/generated/client';
import { type SqlRunner, transaction } from '../../db/sql';
import { parseEventObject, subscriptionFields } from '../webhook/event-fields';
import { upsertSubscription } from '../subscriptions/upsert-subscription';
import { diffSubscriptionRows, type FieldDifference, type SubscriptionRowJson } from './diff-subscription-rows';
import { SNAPSHOT_OUTCOME, type SnapshotOutcome } from './sync-statuses';

/** What the audit trail and the errors call a snapshot (it is not a Stripe event type). */
export const SNAPSHOT_TYPE = 'subscription.sync';

export type SnapshotResult = {
  subscriptionId: string;
  outcome: SnapshotOutcome;
  /** Fields of an existing row that differed from Stripe (empty for a new row or a stale snapshot). */
  drift: FieldDifference[];
  /** What the row became: each changed field, stored vs Stripe (user_id included). */
  changes: FieldDifference[];
  userId: string | null;
  /** The upsert's note (`stale`, or the catalog's `unknown_price`). */
  note: string | null;
};

type ApplyOptions = {
  subscription: Stripe.Subscription;
  /** When the snapshot was taken (Unix seconds): it orders against events as their `created` does. */
  observedAt: number;
  /** Compute everything, keep nothing but what `record` writes. */
  dryRun: boolean;
  /** Records the result in the same transaction (audit, drift, progress); throwing undoes the snapshot. */
  record: (run: SqlRunner, result: SnapshotResult) => Promise<void>;
};

const rowQuery = (subscriptionId: string) =>
  Prisma.sql`SELECT to_jsonb(s) AS row FROM user_subscriptions s WHERE s.stripe_subscription_id = ${subscriptionId}::text`;

/** The stored row reflects an event created after the snapshot was taken. */
function newerThan(row: SubscriptionRowJson, observedAt: number): boolean {
  // A row no event has set yet (last_event_at null) parses as NaN: never newer.
  return Date.parse(String(row.last_event_at)) > observedAt * 1000;
}

function outcomeOf(applied: boolean, before: SubscriptionRowJson | null, changes: FieldDifference[]): SnapshotOutcome {
  if (!applied) return SNAPSHOT_OUTCOME.stale;
  if (!before) return SNAPSHOT_OUTCOME.created;
  return changes.length > 0 ? SNAPSHOT_OUTCOME.updated : SNAPSHOT_OUTCOME.unchanged;
}

/**
 * Applies one Stripe subscription as a snapshot through the webhook's guarded upsert, with the
 * moment of the fetch as its time: an event created later wins, one created earlier is stale. The
 * row is locked first, so a delivery for the same subscription waits for this transaction.
 * Linking: `metadata.user_id` only when it names an existing user, else the user whose
 * `stripe_customer_id` is the subscription's customer (the upsert's own fallback); never by e-mail.
 */
export async function applySubscriptionSnapshot({ subscription, observedAt, dryRun, record }: ApplyOptions): Promise<SnapshotResult> {
  const fields = parseEventObject(subscriptionFields, SNAPSHOT_TYPE, subscription);
  // Stryker disable OptionalChaining: each statement read here returns exactly one row (a SELECT without FROM, or the row just written)
  return transaction(async (run) => {
    // No wait for the WAL flush: a commit lost in a crash loses the snapshot with its cursor, and the next run applies it again.
    // Stryker disable next-line StringLiteral: durability only; nothing a test or a user can read changes
    await run(Prisma.sql`SET LOCAL synchronous_commit = off`);
    const [found] = await run<{ stored: SubscriptionRowJson | null; by_metadata: string | null }>(Prisma.sql`
      SELECT (SELECT to_jsonb(s) FROM user_subscriptions s WHERE s.stripe_subscription_id = ${fields.id}::text FOR UPDATE) AS stored,
        (SELECT id FROM users WHERE id = ${fields.metadata.user_id ?? null}::text) AS by_metadata`);
    const before = found?.stored ?? null;
    // The upsert reads only metadata.user_id: passed on only when it names an existing user.
    const metadata: Record<string, string> = found?.by_metadata ? { user_id: found.by_metadata } : {};
    const linked = { ...fields, metadata };

    const effect = upsertSubscription({ subscription: linked, observedAt, gate: Prisma.sql`true` });
    const upsert = Prisma.sql`WITH ${Prisma.join(effect.ctes)} SELECT EXISTS (SELECT 1 FROM subscription_upsert) AS applied, ${effect.note} AS note`;
    // Stryker disable next-line ConditionalExpression: a savepoint nothing rolls back to changes nothing
    if (dryRun) await run(Prisma.sql`SAVEPOINT sync_snapshot`);
    const [upserted] = await run<{ applied: boolean; note: string | null }>(upsert);
    const [after] = await run<{ row: SubscriptionRowJson }>(rowQuery(fields.id));
    if (dryRun) await run(Prisma.sql`ROLLBACK TO SAVEPOINT sync_snapshot`);

    const applied = upserted?.applied === true;
    const afterRow = after?.row ?? {};
    let compared = applied ? diffSubscriptionRows(before, afterRow) : [];
    if (!applied && before && !newerThan(before, observedAt)) {
      // Refused though no newer event was applied: the stored status is terminal and Stripe says
      // otherwise. Drift that the ordering rules keep: shown (what Stripe alone gives), not healed.
      await run(Prisma.sql`SAVEPOINT sync_probe`);
      await run(Prisma.sql`DELETE FROM user_subscriptions WHERE stripe_subscription_id = ${fields.id}::text`);
      await run(upsert);
      const [probe] = await run<{ row: SubscriptionRowJson }>(rowQuery(fields.id));
      await run(Prisma.sql`ROLLBACK TO SAVEPOINT sync_probe`);
      compared = diffSubscriptionRows(before, probe?.row ?? {});
    }
    const changes = applied ? [...compared, ...diffSubscriptionRows(before, afterRow, ['user_id'])] : [];
    const result: SnapshotResult = {
      subscriptionId: fields.id,
      outcome: outcomeOf(applied, before, changes),
      drift: before ? compared : [],
      changes,
      // Stryker disable next-line ConditionalExpression: user_id is text or null, so the other branch is null too
      userId: typeof afterRow.user_id === 'string' ? afterRow.user_id : null,
      note: upserted?.note ?? null,
    };
    await record(run, result);
    return result;
  });
  // Stryker restore OptionalChaining
}
