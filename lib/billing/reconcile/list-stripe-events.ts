import Stripe from 'stripe';

const PAGE_SIZE = 100;

type ListStripeEventsOptions = {
  stripe: Stripe;
  /** Only these event types (Stripe's `types[]`, at most 20). */
  types: readonly string[];
  /** Continue after this event (Stripe's `ending_before`): every newer event, oldest first. */
  cursorEventId?: string | null;
  /** Without a usable cursor: every event created at or after this moment (unix seconds). */
  since: number;
};

function isMissingCursor(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing';
}

/** Every event of `types` created since `since`, oldest first. */
async function* eventsSince(stripe: Stripe, types: string[], since: number): AsyncGenerator<Stripe.Event> {
  // Stripe lists newest first, and `ending_before` needs an id: walk the window once to find its
  // oldest event, then list forward from it.
  let oldest: Stripe.Event | undefined;
  for await (const event of stripe.events.list({ created: { gte: since }, types, limit: PAGE_SIZE })) oldest = event;
  if (!oldest) return;
  yield oldest;
  yield* stripe.events.list({ ending_before: oldest.id, types, limit: PAGE_SIZE });
}

/**
 * The events Stripe holds of the given types, oldest first: those newer than the cursor event, or
 * (no cursor, or Stripe no longer has it) those created since `since`. stripe-node's auto-pagination
 * with `ending_before` pages towards newer events and yields each page oldest first.
 */
export async function* listStripeEvents({ stripe, types, cursorEventId, since }: ListStripeEventsOptions): AsyncGenerator<Stripe.Event> {
  const typeList = [...types];
  if (!cursorEventId) {
    yield* eventsSince(stripe, typeList, since);
    return;
  }
  let yielded = false;
  try {
    for await (const event of stripe.events.list({ ending_before: cursorEventId, types: typeList, limit: PAGE_SIZE })) {
      yielded = true;
      yield event;
    }
  } catch (error) {
    if (yielded || !isMissingCursor(error)) throw error;
    yield* eventsSince(stripe, typeList, since);
  }
}
