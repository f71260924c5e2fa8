import { getPrisma } from '../db/client';
import { Prisma } from '../db/generated/client';
import { query } from '../db/sql';

const ENTRIES_SHOWN = 500;

export type TimelineOutcome = 'processed' | 'stale' | 'duplicate' | 'failed' | 'ignored';

export type TimelineEntry = {
  at: Date;
  source: 'event' | 'sync' | 'admin';
  /** The event id (evt_…), or the sync run, or the administrator. */
  reference: string | null;
  type: string;
  subscriptionId: string | null;
  outcome: TimelineOutcome;
  /** What it changed or carried, in words an operator reads ("status → past_due"). */
  detail: string;
};

export type BillingTimeline = {
  user: { id: string; email: string | null; stripeCustomerId: string | null; role: string } | null;
  subscriptions: {
    stripeSubscriptionId: string;
    userId: string | null;
    stripeCustomerId: string | null;
    stripePriceId: string | null;
    plan: string;
    status: string;
    isActive: boolean;
    currentPeriodEnd: Date | null;
    cancelAtPeriodEnd: boolean;
    lastEventAt: Date | null;
    updatedAt: Date;
  }[];
  entries: TimelineEntry[];
};

type EventLine = {
  id: string;
  type: string;
  status: string;
  note: string | null;
  attempts: number;
  duplicate_deliveries: number;
  last_error: string | null;
  received_at: Date;
  stripe_created_at: Date | null;
  object_id: string | null;
  object_status: string | null;
  price_id: string | null;
  cancel_at_period_end: string | null;
};

type ChangeLine = {
  stripe_subscription_id: string;
  source: string;
  outcome: string;
  note: string | null;
  changes: Record<string, { stored: unknown; stripe: unknown }>;
  run_id: string | null;
  actor_id: string | null;
  created_at: Date;
};

function eventOutcome(event: EventLine): TimelineOutcome {
  if (event.status === 'failed') return 'failed';
  if (event.status === 'ignored') return 'ignored';
  return event.note === 'stale' ? 'stale' : 'processed';
}

function eventDetail(event: EventLine): string {
  const parts: string[] = [];
  if (event.object_status) parts.push(`status ${event.object_status}`);
  if (event.price_id) parts.push(`price ${event.price_id}`);
  if (event.cancel_at_period_end === 'true') parts.push('cancels at period end');
  if (event.note && event.note !== 'stale') parts.push(`note ${event.note}`);
  if (event.stripe_created_at) parts.push(`created at Stripe ${event.stripe_created_at.toISOString()}`);
  if (event.attempts > 1) parts.push(`${event.attempts} attempts`);
  if (event.last_error) parts.push(`error: ${event.last_error}`);
  return parts.join(' · ');
}

function changeDetail(change: ChangeLine): string {
  const fields = Object.entries(change.changes).map(
    ([field, { stored, stripe }]) => `${field}: ${String(stored ?? '∅')} → ${String(stripe ?? '∅')}`,
  );
  if (change.note) fields.push(`note ${change.note}`);
  return fields.join(' · ') || 'no field changed';
}

/** The user a look-up names: by id, e-mail address (any case), or Stripe customer id. */
async function findUser(lookup: string) {
  return getPrisma().user.findFirst({
    where: { OR: [{ id: lookup }, { email: { equals: lookup, mode: 'insensitive' } }, { stripeCustomerId: lookup }] },
    select: { id: true, email: true, stripeCustomerId: true, role: true },
  });
}

/**
 * One user's billing history, to answer "why is this user on this plan?": their subscription rows
 * and every event, sync snapshot and administrator action that touched them, in the order they
 * were applied, each with its outcome. Events are the user's own and those of their subscriptions
 * recorded while no user was linked (both indexed). A Stripe customer or subscription id no user has
 * is looked up too (an unlinked subscription has a history as well).
 */
export async function getBillingTimeline(lookup: string): Promise<BillingTimeline> {
  const prisma = getPrisma();
  const user = await findUser(lookup);
  const customerIds = [user?.stripeCustomerId, lookup].filter((id): id is string => Boolean(id));
  const subscriptions = await prisma.userSubscription.findMany({
    where: { OR: [...(user ? [{ userId: user.id }] : []), { stripeCustomerId: { in: customerIds } }, { stripeSubscriptionId: lookup }] },
    orderBy: { createdAt: 'asc' },
    select: {
      stripeSubscriptionId: true,
      userId: true,
      stripeCustomerId: true,
      stripePriceId: true,
      plan: true,
      status: true,
      isActive: true,
      currentPeriodEnd: true,
      cancelAtPeriodEnd: true,
      lastEventAt: true,
      updatedAt: true,
    },
  });
  const subscriptionIds = subscriptions.map((subscription) => subscription.stripeSubscriptionId);
  if (!user && subscriptionIds.length === 0) return { user: null, subscriptions: [], entries: [] };

  const userId = user?.id ?? null;
  const [events, changes] = await Promise.all([
    query<EventLine>(Prisma.sql`
      SELECT id, type, status, note, attempts, duplicate_deliveries, last_error, received_at, stripe_created_at, object_id,
        payload #>> '{data,object,status}' AS object_status,
        payload #>> '{data,object,items,data,0,price,id}' AS price_id,
        payload #>> '{data,object,cancel_at_period_end}' AS cancel_at_period_end
      FROM stripe_webhook_events
      WHERE user_id = ${userId}::text OR (user_id IS NULL AND object_id = ANY(${subscriptionIds}::text[]))
      ORDER BY received_at DESC, id DESC LIMIT ${ENTRIES_SHOWN}`),
    query<ChangeLine>(Prisma.sql`
      SELECT stripe_subscription_id, source, outcome, note, changes, run_id, actor_id, created_at
      FROM stripe_subscription_changes
      WHERE user_id = ${userId}::text OR stripe_subscription_id = ANY(${subscriptionIds}::text[])
      ORDER BY created_at DESC, id DESC LIMIT ${ENTRIES_SHOWN}`),
  ]);

  const entries: TimelineEntry[] = [
    ...events.flatMap((event): TimelineEntry[] => {
      const entry: TimelineEntry = {
        at: event.received_at,
        source: 'event',
        reference: event.id,
        type: event.type,
        subscriptionId: event.object_id?.startsWith('sub_') ? event.object_id : null,
        outcome: eventOutcome(event),
        detail: eventDetail(event),
      };
      // Redeliveries of a handled event changed nothing: one line says how many there were.
      return event.duplicate_deliveries > 0
        ? [entry, { ...entry, outcome: 'duplicate', detail: `${event.duplicate_deliveries} redelivery(ies), nothing applied again` }]
        : [entry];
    }),
    ...changes.map((change): TimelineEntry => ({
      at: change.created_at,
      source: change.source === 'admin' ? 'admin' : 'sync',
      reference: change.source === 'admin' ? change.actor_id : change.run_id,
      type: change.source === 'admin' ? 'admin.link' : 'subscription.sync',
      subscriptionId: change.stripe_subscription_id,
      outcome: change.outcome === 'stale' ? 'stale' : 'processed',
      detail: `${change.outcome}: ${changeDetail(change)}`,
    })),
  ];
  entries.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { user, subscriptions, entries: entries.slice(-ENTRIES_SHOWN) };
}
