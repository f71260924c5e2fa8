/**
 * The stored columns a sync compares with Stripe: status, plan and price, seats, period end,
 * cancellation and trial end. A column this schema does not have is skipped.
 */
export const COMPARED_FIELDS = [
  'status',
  'plan',
  'stripe_price_id',
  'quantity',
  'current_period_end',
  'cancel_at_period_end',
  'cancel_at',
  'canceled_at',
  'ended_at',
  'trial_end',
] as const;

export type FieldDifference = { field: string; stored: string | null; stripe: string | null };

/** A subscription row as `to_jsonb` gives it. */
export type SubscriptionRowJson = Record<string, unknown>;

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The compared fields whose value differs between the row before a snapshot and the row Stripe's
 * snapshot leads to (the guarded upsert's own answer, so plan and seats are read as events read them).
 */
export function diffSubscriptionRows(
  before: SubscriptionRowJson | null,
  after: SubscriptionRowJson,
  fields: readonly string[] = COMPARED_FIELDS,
): FieldDifference[] {
  const differences: FieldDifference[] = [];
  for (const field of fields) {
    if (!(field in after)) continue;
    const stored = asText(before?.[field]);
    const stripe = asText(after[field]);
    if (stored !== stripe) differences.push({ field, stored, stripe });
  }
  return differences;
}
