import type Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventRows, subscriptionRow, testPool } from '../../../tests/support/database';
import { eventBody, fixtureCreated, freshScenario, type Scenario, stripeEvent } from '../../../tests/support/stripe-events';
import { Prisma } from '../../db/generated/client';
import { buildTestEvent, type TestPrice } from '../../dev/test-events';
import { featuresFor } from '../plans';
import type { SubscriptionFields } from '../webhook/event-fields';
import { newEventGate } from '../webhook/event-store';
import { processStripeEvent } from '../webhook/process-stripe-event';
import { upsertSubscription } from './upsert-subscription';

// The guarded upsert's SQL conditions, one test per condition, with the rows Stripe's events leave.
// Times are Unix seconds; T is an arbitrary second in the fixtures' range.

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

const T = 1_796_000_000;
const MONTHLY = 'price_1PgafmB7WZ01zgkW6dKueIc5';
const ANNUAL = 'price_1PgagYB7WZ01zgkWq8YrLy20';

type SubscriptionChange = {
  created: number;
  status?: string;
  /** The item's current_period_start; null: none sent (as before basil without it); unset: the fixture's. */
  periodStart?: number | null;
  /** The item's current_period_end; null: none sent. */
  periodEnd?: number | null;
  /** `previous_attributes.status` of an update: the status the subscription moved on from. */
  previousStatus?: string;
  cancelAtPeriodEnd?: boolean;
  annual?: boolean;
  metadata?: Record<string, string>;
};

type SubscriptionEventType = 'customer.subscription.created' | 'customer.subscription.updated' | 'customer.subscription.deleted';

/** A subscription event as Stripe sends it, for the scenario's subscription, with these fields. */
function subscriptionEvent(
  scenario: Scenario,
  {
    created,
    status = 'active',
    periodStart,
    periodEnd = 1_800_000_000,
    previousStatus,
    cancelAtPeriodEnd = false,
    annual = false,
    metadata,
  }: SubscriptionChange,
  type: SubscriptionEventType = 'customer.subscription.updated',
) {
  const event = JSON.parse(eventBody(type, scenario, { created, status })) as Stripe.Event;
  const object = event.data.object as unknown as {
    cancel_at_period_end: boolean;
    metadata: Record<string, string>;
    current_period_start?: number;
    items: {
      data: {
        current_period_start?: number;
        current_period_end?: number;
        price: { id: string; lookup_key: string | null; recurring: { interval: string } };
      }[];
    };
  };
  object.cancel_at_period_end = cancelAtPeriodEnd;
  if (metadata) object.metadata = metadata;
  if (previousStatus) (event.data as { previous_attributes?: unknown }).previous_attributes = { status: previousStatus };
  else delete (event.data as { previous_attributes?: unknown }).previous_attributes;
  if (periodStart === null) delete object.current_period_start;
  for (const item of object.items.data) {
    if (periodStart === null) delete item.current_period_start;
    else if (periodStart !== undefined) item.current_period_start = periodStart;
    if (periodEnd === null) delete item.current_period_end;
    else item.current_period_end = periodEnd;
    item.price.id = annual ? ANNUAL : MONTHLY;
    item.price.lookup_key = annual ? 'pro_annual' : 'pro_monthly';
    item.price.recurring.interval = annual ? 'year' : 'month';
  }
  return { event, payload: JSON.stringify(event) };
}

const apply = async (scenario: Scenario, change: SubscriptionChange, type?: SubscriptionEventType) =>
  (await processStripeEvent(subscriptionEvent(scenario, change, type))).status;

const seconds = (date: Date | null | undefined) => (date ? date.getTime() / 1000 : null);

async function state(scenario: Scenario) {
  const row = (await subscriptionRow(pool, scenario.subscriptionId)) as Awaited<ReturnType<typeof subscriptionRow>> & {
    past_due_since: Date | null;
  };
  return (
    row && {
      status: row.status,
      is_active: row.is_active,
      plan: row.plan,
      billing_period: row.billing_period,
      stripe_price_id: row.stripe_price_id,
      current_period_end: seconds(row.current_period_end),
      cancel_at_period_end: row.cancel_at_period_end,
      last_event_at: seconds(row.last_event_at),
      past_due_since: seconds(row.past_due_since),
      user_id: row.user_id,
    }
  );
}

let scenario: Scenario;
beforeEach(() => {
  scenario = freshScenario();
});

describe('an event strictly older than the applied state', () => {
  it('is recorded stale and leaves the row exactly as it was', async () => {
    expect(await apply(scenario, { created: T, status: 'active', annual: true, periodEnd: 1_828_000_000 })).toBe('processed');
    expect(await apply(scenario, { created: T - 1, status: 'past_due', periodEnd: 1_800_000_000 })).toBe('stale');
    expect(await state(scenario)).toEqual({
      status: 'active',
      is_active: true,
      plan: 'pro',
      billing_period: 'annual',
      stripe_price_id: ANNUAL,
      current_period_end: 1_828_000_000,
      cancel_at_period_end: false,
      last_event_at: T,
      past_due_since: null,
      user_id: scenario.userId,
    });
  });
});

describe('an event strictly newer than the applied state', () => {
  it('is applied even when its status comes earlier in the lifecycle (recovery from past_due)', async () => {
    expect(await apply(scenario, { created: T, status: 'past_due' })).toBe('processed');
    expect(await state(scenario)).toMatchObject({ status: 'past_due', is_active: true, past_due_since: T });
    expect(await apply(scenario, { created: T + 1, status: 'active', annual: true, periodEnd: 1_828_000_000 })).toBe('processed');
    expect(await state(scenario)).toEqual({
      status: 'active',
      is_active: true,
      plan: 'pro',
      billing_period: 'annual',
      stripe_price_id: ANNUAL,
      current_period_end: 1_828_000_000,
      cancel_at_period_end: false,
      last_event_at: T + 1,
      past_due_since: null,
      user_id: scenario.userId,
    });
  });
});

describe('two events of the same second (Stripe timestamps have one-second resolution)', () => {
  // Each pair is two neighbours in the lifecycle; the later one is the state Stripe reached, whichever
  // arrives last. A status this app does not know ranks before all of them.
  const pairs: [earlier: string, later: string, laterIsActive: boolean][] = [
    ['some_future_status', 'incomplete', false],
    ['incomplete', 'trialing', true],
    ['trialing', 'active', true],
    ['active', 'past_due', true],
    ['past_due', 'unpaid', false],
    ['unpaid', 'paused', false],
    ['paused', 'canceled', false],
    ['incomplete', 'incomplete_expired', false],
  ];

  it.each(pairs)('%s then %s: the later one is applied', async (earlier, later, laterIsActive) => {
    expect(await apply(scenario, { created: T, status: earlier })).toBe('processed');
    expect(await apply(scenario, { created: T, status: later })).toBe('processed');
    expect(await state(scenario)).toMatchObject({ status: later, is_active: laterIsActive, last_event_at: T });
  });

  it.each(pairs)('%s arriving after %s of the same second is stale', async (earlier, later, laterIsActive) => {
    expect(await apply(scenario, { created: T, status: later })).toBe('processed');
    expect(await apply(scenario, { created: T, status: earlier })).toBe('stale');
    expect(await state(scenario)).toMatchObject({ status: later, is_active: laterIsActive, last_event_at: T });
  });

  it('of the same status, the one delivered last is applied (cancel at period end set in the same second)', async () => {
    expect(await apply(scenario, { created: T, status: 'active' })).toBe('processed');
    expect(await apply(scenario, { created: T, status: 'active', cancelAtPeriodEnd: true })).toBe('processed');
    expect(await state(scenario)).toMatchObject({ status: 'active', is_active: true, cancel_at_period_end: true });
  });
});

describe('an update of the same second that says which status it moved on from', () => {
  it('is applied when it names the stored status, even going back in the lifecycle (recovered within the second)', async () => {
    expect(await apply(scenario, { created: T, status: 'past_due' })).toBe('processed');
    expect(await apply(scenario, { created: T, status: 'active', previousStatus: 'past_due' })).toBe('processed');
    expect(await state(scenario)).toMatchObject({ status: 'active', is_active: true, past_due_since: null, last_event_at: T });
  });

  it('is stale when it names another status', async () => {
    expect(await apply(scenario, { created: T, status: 'past_due' })).toBe('processed');
    expect(await apply(scenario, { created: T, status: 'active', previousStatus: 'incomplete' })).toBe('stale');
    expect(await state(scenario)).toMatchObject({ status: 'past_due', is_active: true, past_due_since: T });
  });
});

describe('a row checkout created, still waiting for its first subscription event', () => {
  it('takes the first subscription event, whatever its time', async () => {
    const checkout = JSON.parse(eventBody('checkout.session.completed', scenario, { created: T })) as Stripe.Event;
    expect((await processStripeEvent({ event: checkout, payload: JSON.stringify(checkout) })).status).toBe('processed');
    expect(await state(scenario)).toMatchObject({
      status: 'incomplete',
      is_active: false,
      plan: 'free',
      last_event_at: null,
      stripe_price_id: null,
    });

    expect(await apply(scenario, { created: T - 100, status: 'active' }, 'customer.subscription.created')).toBe('processed');
    expect(await state(scenario)).toEqual({
      status: 'active',
      is_active: true,
      plan: 'pro',
      billing_period: 'monthly',
      stripe_price_id: MONTHLY,
      current_period_end: 1_800_000_000,
      cancel_at_period_end: false,
      last_event_at: T - 100,
      past_due_since: null,
      user_id: scenario.userId,
    });
  });
});

describe('terminal statuses', () => {
  it.each(['canceled', 'incomplete_expired'])('a %s subscription is never changed by a later event', async (terminal) => {
    expect(await apply(scenario, { created: T, status: terminal })).toBe('processed');
    expect(await apply(scenario, { created: T + 3600, status: 'active', annual: true, periodEnd: 1_900_000_000 })).toBe('stale');
    expect(await state(scenario)).toMatchObject({
      status: terminal,
      is_active: false,
      billing_period: 'monthly',
      stripe_price_id: MONTHLY,
      current_period_end: 1_800_000_000,
      last_event_at: T,
    });
  });

  it('customer.subscription.deleted ends the subscription even when its object still says active', async () => {
    expect(await apply(scenario, { created: T, status: 'active' })).toBe('processed');
    expect(await apply(scenario, { created: T + 60, status: 'active' }, 'customer.subscription.deleted')).toBe('processed');
    expect(await state(scenario)).toMatchObject({ status: 'canceled', is_active: false, last_event_at: T + 60 });
  });

  it('customer.subscription.created and .updated store the status the object says', async () => {
    expect(await apply(scenario, { created: T, status: 'trialing' }, 'customer.subscription.created')).toBe('processed');
    expect(await state(scenario)).toMatchObject({ status: 'trialing', is_active: true });
    expect(await apply(scenario, { created: T + 1, status: 'active' }, 'customer.subscription.updated')).toBe('processed');
    expect(await state(scenario)).toMatchObject({ status: 'active', is_active: true });
  });
});

describe('the period end', () => {
  it('never moves backwards, even with a newer event that is applied', async () => {
    expect(await apply(scenario, { created: T, periodEnd: 1_800_000_000 })).toBe('processed');
    expect(await apply(scenario, { created: T + 10, periodEnd: 1_790_000_000, cancelAtPeriodEnd: true })).toBe('processed');
    expect(await state(scenario)).toMatchObject({ current_period_end: 1_800_000_000, cancel_at_period_end: true, last_event_at: T + 10 });
    expect(await apply(scenario, { created: T + 20, periodEnd: 1_810_000_000 })).toBe('processed');
    expect(await state(scenario)).toMatchObject({ current_period_end: 1_810_000_000, cancel_at_period_end: false, last_event_at: T + 20 });
  });
});

describe('the billing period', () => {
  const period = async () => {
    const { rows } = await pool.query<{ start: Date | null; end: Date | null }>(
      'SELECT current_period_start AS start, current_period_end AS "end" FROM user_subscriptions WHERE stripe_subscription_id = $1',
      [scenario.subscriptionId],
    );
    return { start: seconds(rows[0]?.start), end: seconds(rows[0]?.end) };
  };

  it('a later period replaces the stored one even when it ends earlier (annual to monthly)', async () => {
    expect(await apply(scenario, { created: T, annual: true, periodStart: 1_796_000_000, periodEnd: 1_827_536_000 })).toBe('processed');
    expect(await apply(scenario, { created: T + 10, periodStart: 1_797_000_000, periodEnd: 1_799_592_000 })).toBe('processed');
    expect(await period()).toEqual({ start: 1_797_000_000, end: 1_799_592_000 });
    expect(await state(scenario)).toMatchObject({ billing_period: 'monthly', stripe_price_id: MONTHLY });
  });

  it('an older period changes nothing, even one that ends later', async () => {
    expect(await apply(scenario, { created: T, periodStart: 1_797_000_000, periodEnd: 1_799_592_000 })).toBe('processed');
    expect(await apply(scenario, { created: T + 10, annual: true, periodStart: 1_796_000_000, periodEnd: 1_827_536_000 })).toBe(
      'processed',
    );
    expect(await period()).toEqual({ start: 1_797_000_000, end: 1_799_592_000 });
    expect(await state(scenario)).toMatchObject({ billing_period: 'annual', last_event_at: T + 10 });
  });

  it('the same period only grows', async () => {
    expect(await apply(scenario, { created: T, periodStart: 1_797_000_000, periodEnd: 1_799_592_000 })).toBe('processed');
    expect(await apply(scenario, { created: T + 10, periodStart: 1_797_000_000, periodEnd: 1_799_000_000 })).toBe('processed');
    expect(await period()).toEqual({ start: 1_797_000_000, end: 1_799_592_000 });
    expect(await apply(scenario, { created: T + 20, periodStart: 1_797_000_000, periodEnd: 1_800_000_000 })).toBe('processed');
    expect(await period()).toEqual({ start: 1_797_000_000, end: 1_800_000_000 });
  });

  it('a later period that says no end keeps the stored end', async () => {
    expect(await apply(scenario, { created: T, periodStart: 1_797_000_000, periodEnd: 1_799_592_000 })).toBe('processed');
    expect(await apply(scenario, { created: T + 10, periodStart: 1_799_592_000, periodEnd: null })).toBe('processed');
    expect(await period()).toEqual({ start: 1_799_592_000, end: 1_799_592_000 });
  });

  it('without a start (an older API version) the end only grows', async () => {
    expect(await apply(scenario, { created: T, periodStart: null, periodEnd: 1_800_000_000 })).toBe('processed');
    expect(await period()).toEqual({ start: null, end: 1_800_000_000 });
    expect(await apply(scenario, { created: T + 10, periodStart: null, periodEnd: 1_790_000_000 })).toBe('processed');
    expect(await period()).toEqual({ start: null, end: 1_800_000_000 });
    expect(await apply(scenario, { created: T + 20, periodStart: 1_797_000_000, periodEnd: 1_799_592_000 })).toBe('processed');
    expect(await period()).toEqual({ start: 1_797_000_000, end: 1_800_000_000 });
  });
});

describe('past_due_since (the start of the grace period)', () => {
  it('is the time of the first past_due event, kept while it stays past_due, cleared on any other status', async () => {
    expect(await apply(scenario, { created: T, status: 'past_due' })).toBe('processed');
    expect(await apply(scenario, { created: T + 3600, status: 'past_due' })).toBe('processed');
    expect(await state(scenario)).toMatchObject({ status: 'past_due', past_due_since: T });
    expect(await apply(scenario, { created: T + 7200, status: 'unpaid' })).toBe('processed');
    expect(await state(scenario)).toMatchObject({ status: 'unpaid', is_active: false, past_due_since: null });
    expect(await apply(scenario, { created: T + 9000, status: 'past_due' })).toBe('processed');
    expect(await state(scenario)).toMatchObject({ status: 'past_due', past_due_since: T + 9000 });
  });
});

describe('the user', () => {
  it('is kept when a later event carries no metadata and the customer is linked to nobody', async () => {
    expect(await apply(scenario, { created: T })).toBe('processed');
    const result = await processStripeEvent(subscriptionEvent(scenario, { created: T + 1, status: 'past_due', metadata: {} }));
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect(await state(scenario)).toMatchObject({ status: 'past_due', user_id: scenario.userId });
  });

  it('of a stale event is the subscription owner, whose cache is cleared', async () => {
    expect(await apply(scenario, { created: T })).toBe('processed');
    const stale = await processStripeEvent(subscriptionEvent(scenario, { created: T - 1, metadata: {} }));
    expect(stale).toEqual({ status: 'stale', userId: scenario.userId, attempt: 1 });
  });

  it('of a subscription nobody can be linked to yet is the metadata user, else none', async () => {
    const other = freshScenario();
    expect(await processStripeEvent(subscriptionEvent(other, { created: T, metadata: { user_id: other.userId } }))).toEqual({
      status: 'processed',
      userId: other.userId,
      attempt: 1,
    });
    expect(await processStripeEvent(subscriptionEvent(scenario, { created: T, metadata: {} }))).toEqual({
      status: 'processed',
      userId: null,
      attempt: 1,
    });
    expect(await state(scenario)).toMatchObject({ user_id: null, status: 'active' });
  });
});

describe('a subscription object without the usual item', () => {
  it('without items is stored without a price (Free), its period end read from the subscription (before basil)', async () => {
    const { event } = subscriptionEvent(scenario, { created: T });
    const object = event.data.object as unknown as { items: { data: unknown[] }; current_period_end: number };
    object.items.data = [];
    object.current_period_end = 1_801_000_000;
    expect((await processStripeEvent({ event, payload: JSON.stringify(event) })).status).toBe('processed');
    expect(await state(scenario)).toMatchObject({
      status: 'active',
      is_active: true,
      plan: 'free',
      billing_period: null,
      stripe_price_id: null,
      current_period_end: 1_801_000_000,
    });
  });

  it('with a price that is not recurring has no billing period', async () => {
    const { event } = subscriptionEvent(scenario, { created: T });
    for (const item of (event.data.object as unknown as { items: { data: { price: { recurring: unknown } }[] } }).items.data)
      item.price.recurring = null;
    expect((await processStripeEvent({ event, payload: JSON.stringify(event) })).status).toBe('processed');
    expect(await state(scenario)).toMatchObject({ status: 'active', plan: 'pro', billing_period: null, stripe_price_id: MONTHLY });
  });
});

// The example events of customer.subscription.created, .updated and .deleted, as the webhook delivers them.
describe('customer.subscription.created / updated', () => {
  it('upserts price, plan, period, status and the user from metadata', async () => {
    const result = await processStripeEvent(stripeEvent('customer.subscription.created', scenario));
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });

    const row = await subscriptionRow(pool, scenario.subscriptionId);
    expect(row).toMatchObject({
      user_id: scenario.userId,
      stripe_customer_id: scenario.customerId,
      stripe_price_id: 'price_1PgafmB7WZ01zgkW6dKueIc5',
      plan: 'pro',
      billing_period: 'monthly',
      status: 'active',
      is_active: true,
      cancel_at_period_end: false,
    });
    expect(row?.last_event_at?.getTime()).toBe(fixtureCreated('customer.subscription.created') * 1000);
    expect(row?.current_period_end).toBeInstanceOf(Date);
  });

  it('switches to the annual price and keeps past_due active as grace', async () => {
    await processStripeEvent(stripeEvent('customer.subscription.created', scenario));
    await processStripeEvent(stripeEvent('customer.subscription.updated.past_due', scenario));
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'past_due', is_active: true });

    await processStripeEvent(stripeEvent('customer.subscription.updated', scenario));
    const row = await subscriptionRow(pool, scenario.subscriptionId);
    expect(row).toMatchObject({ status: 'active', billing_period: 'annual', stripe_price_id: 'price_1PgagYB7WZ01zgkWq8YrLy20' });
    expect(row?.current_period_end?.getTime()).toBe(1828452600 * 1000);
  });

  it('marks unpaid and incomplete subscriptions inactive', async () => {
    await processStripeEvent(stripeEvent('customer.subscription.updated', scenario, { status: 'unpaid' }));
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'unpaid', is_active: false });
  });

  it('finds the user by customer id when the subscription has no metadata', async () => {
    await pool.query('INSERT INTO users (id, stripe_customer_id) VALUES ($1, $2)', [scenario.userId, scenario.customerId]);
    const { event, payload } = stripeEvent('customer.subscription.created', scenario);
    const object = event.data.object as unknown as { metadata: Record<string, string> };
    object.metadata = {};
    const result = await processStripeEvent({ event, payload: JSON.stringify(event) });
    expect(payload).toBeTruthy();
    expect(result.userId).toBe(scenario.userId);
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.user_id).toBe(scenario.userId);
  });

  it('leaves user_id null when nobody can be linked yet', async () => {
    const { event } = stripeEvent('customer.subscription.created', scenario);
    (event.data.object as unknown as { metadata: Record<string, string> }).metadata = {};
    const result = await processStripeEvent({ event, payload: JSON.stringify(event) });
    expect(result).toEqual({ status: 'processed', userId: null, attempt: 1 });
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.user_id).toBeNull();
  });
});

describe('ordering', () => {
  it('does not apply an event older than the last one applied, and records it as stale', async () => {
    await processStripeEvent(stripeEvent('customer.subscription.updated', scenario));
    const older = stripeEvent('customer.subscription.updated.past_due', scenario);
    const result = await processStripeEvent(older);

    expect(result.status).toBe('stale');
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', billing_period: 'annual' });
    expect((await eventRows(pool, older.event.id))[0]).toMatchObject({ status: 'processed', note: 'stale', user_id: scenario.userId });
  });

  it('applies an event from the same second (Stripe timestamps have one-second resolution)', async () => {
    const second = fixtureCreated('customer.subscription.updated');
    await processStripeEvent(stripeEvent('customer.subscription.updated', scenario, { created: second }));
    const result = await processStripeEvent(stripeEvent('customer.subscription.updated.past_due', scenario, { created: second }));
    expect(result.status).toBe('processed');
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.status).toBe('past_due');
  });

  it('never revives a canceled subscription, even with a newer event', async () => {
    await processStripeEvent(stripeEvent('customer.subscription.deleted', scenario));
    const later = fixtureCreated('customer.subscription.deleted') + 60;
    const result = await processStripeEvent(stripeEvent('customer.subscription.updated', scenario, { created: later }));
    expect(result.status).toBe('stale');
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'canceled', is_active: false });
  });

  it('treats incomplete_expired as terminal too', async () => {
    await processStripeEvent(stripeEvent('customer.subscription.updated', scenario, { status: 'incomplete_expired' }));
    const later = fixtureCreated('customer.subscription.updated') + 60;
    expect((await processStripeEvent(stripeEvent('customer.subscription.updated', scenario, { created: later }))).status).toBe('stale');
  });
});

describe('customer.subscription.deleted', () => {
  it('cancels and deactivates', async () => {
    await processStripeEvent(stripeEvent('customer.subscription.created', scenario));
    const result = await processStripeEvent(stripeEvent('customer.subscription.deleted', scenario));
    expect(result.status).toBe('processed');
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'canceled', is_active: false });
  });
});

// The catalog: the plan from the item's price lookup key, the seats, the trial and cancellation
// dates, the schedule; a price outside the catalog unlocks nothing.

const PRO_MONTHLY: TestPrice = { id: 'price_acct_pro_monthly', lookupKey: 'pro_monthly', interval: 'month', amountCents: 2_000 };
const TEAM_ANNUAL: TestPrice = {
  id: 'price_acct_team_annual',
  lookupKey: 'team_annual',
  interval: 'year',
  amountCents: 15_000,
  quantity: 5,
};
const PAYMENT_LINK: TestPrice = { id: 'price_payment_link', lookupKey: null, interval: 'month', amountCents: 100 };
const OTHER_APP: TestPrice = { id: 'price_other_app', lookupKey: 'other_app_pro', interval: 'month', amountCents: 2_000 };

type CatalogRow = {
  plan: string;
  status: string;
  is_active: boolean;
  stripe_price_id: string | null;
  billing_period: string | null;
  quantity: number | null;
  trial_end: Date | null;
  cancel_at: Date | null;
  canceled_at: Date | null;
  ended_at: Date | null;
  stripe_schedule_id: string | null;
  last_event_at: Date | null;
  user_id: string | null;
};

async function catalogRow(scenario: Scenario): Promise<CatalogRow | undefined> {
  const { rows } = await pool.query<CatalogRow>('SELECT * FROM user_subscriptions WHERE stripe_subscription_id = $1', [
    scenario.subscriptionId,
  ]);
  return rows[0];
}

async function deliverNoted(body: string) {
  const event = JSON.parse(body) as Stripe.Event;
  const result = await processStripeEvent({ event, payload: body });
  const [recorded] = await eventRows(pool, event.id);
  return { status: result.status, note: recorded?.note ?? null };
}

/** A subscription event for the scenario, its item at `price`, with the options the builder takes. */
function catalogEvent(
  scenario: Scenario,
  price: TestPrice,
  options: Omit<Parameters<typeof buildTestEvent>[1], 'ids' | 'price'> = {},
  type = 'customer.subscription.updated',
) {
  return buildTestEvent(type, { ids: scenario, price, created: T, status: 'active', ...options });
}

/** The same event with more items: Stripe lists them in the order they were added. */
function withItems(body: string, prices: TestPrice[], position: 'before' | 'after'): string {
  const event = JSON.parse(body) as { data: { object: { items: { data: Record<string, unknown>[] } } } };
  const [template] = event.data.object.items.data;
  const extra = prices.map((price, index) => ({
    ...template,
    id: `si_extra_${index}`,
    quantity: price.quantity ?? 1,
    price: {
      ...(template?.price as Record<string, unknown>),
      id: price.id,
      lookup_key: price.lookupKey,
      recurring: { interval: price.interval, interval_count: 1 },
    },
  }));
  event.data.object.items.data =
    position === 'before' ? [...extra, ...event.data.object.items.data] : [...event.data.object.items.data, ...extra];
  return JSON.stringify(event);
}

describe('the plan of a subscription', () => {
  it('is the catalog plan of the item price lookup key; a Team item quantity is the seat count', async () => {
    expect(await deliverNoted(catalogEvent(scenario, TEAM_ANNUAL))).toEqual({ status: 'processed', note: null });
    expect(await catalogRow(scenario)).toMatchObject({
      plan: 'team',
      billing_period: 'annual',
      stripe_price_id: 'price_acct_team_annual',
      quantity: 5,
      is_active: true,
    });
  });

  it('of several items, is decided by the catalog one, whatever its position (its quantity is the seats)', async () => {
    expect(await deliverNoted(withItems(catalogEvent(scenario, TEAM_ANNUAL), [PAYMENT_LINK, OTHER_APP], 'before'))).toEqual({
      status: 'processed',
      note: null,
    });
    expect(await catalogRow(scenario)).toMatchObject({
      plan: 'team',
      stripe_price_id: 'price_acct_team_annual',
      quantity: 5,
      billing_period: 'annual',
    });
    const other = freshScenario();
    expect(await deliverNoted(withItems(catalogEvent(other, PRO_MONTHLY), [{ ...PAYMENT_LINK, quantity: 9 }], 'after'))).toEqual({
      status: 'processed',
      note: null,
    });
    expect(await catalogRow(other)).toMatchObject({ plan: 'pro', stripe_price_id: 'price_acct_pro_monthly', quantity: 1 });
  });
});

describe('a price outside the catalog', () => {
  it.each([
    ['a Payment Link price without a lookup key', PAYMENT_LINK],
    ['another app price with its own lookup key', OTHER_APP],
  ])('(%s) is stored as plan unknown, active as Stripe says, noted unknown_price, and unlocks nothing', async (_name, price) => {
    expect(await deliverNoted(catalogEvent(scenario, price))).toEqual({ status: 'processed', note: 'unknown_price' });
    const stored = await catalogRow(scenario);
    expect(stored).toMatchObject({
      plan: 'unknown',
      status: 'active',
      is_active: true,
      stripe_price_id: price.id,
      billing_period: 'monthly',
      user_id: scenario.userId,
    });
    expect(
      featuresFor({ plan: stored?.plan ?? '', isActive: stored?.is_active ?? false, status: stored?.status, quantity: stored?.quantity }),
    ).toMatchObject({
      plan: 'free',
      advancedAnalytics: false,
      prioritySupport: false,
      teamMembers: 1,
      projects: 3,
    });
  });

  it('in an event older than the stored state is noted stale, and changes nothing', async () => {
    expect(await deliverNoted(catalogEvent(scenario, PRO_MONTHLY))).toEqual({ status: 'processed', note: null });
    expect(await deliverNoted(catalogEvent(scenario, PAYMENT_LINK, { created: T - 1 }))).toEqual({ status: 'stale', note: 'stale' });
    expect(await catalogRow(scenario)).toMatchObject({ plan: 'pro', stripe_price_id: 'price_acct_pro_monthly' });
  });

  it('replaced later by a catalog price unlocks the plan, and the note is gone from that event', async () => {
    expect((await deliverNoted(catalogEvent(scenario, OTHER_APP))).note).toBe('unknown_price');
    expect(await deliverNoted(catalogEvent(scenario, PRO_MONTHLY, { created: T + 1 }))).toEqual({ status: 'processed', note: null });
    expect(await catalogRow(scenario)).toMatchObject({ plan: 'pro', is_active: true });
  });

  it('without any item is no price and plan free', async () => {
    const event = JSON.parse(catalogEvent(scenario, PRO_MONTHLY)) as { data: { object: { items: { data: unknown[] } } } };
    event.data.object.items.data = [];
    expect(await deliverNoted(JSON.stringify(event))).toEqual({ status: 'processed', note: null });
    expect(await catalogRow(scenario)).toMatchObject({ plan: 'free', stripe_price_id: null, quantity: null });
  });
});

describe('the subscription state kept beside the plan', () => {
  it('stores the trial end, cancel dates, end, and schedule the subscription object carries', async () => {
    await deliverNoted(
      catalogEvent(
        scenario,
        PRO_MONTHLY,
        { status: 'trialing', trial: { start: T, end: T + 14 * 86_400 } },
        'customer.subscription.created',
      ),
    );
    expect(await catalogRow(scenario)).toMatchObject({ status: 'trialing', is_active: true, plan: 'pro' });
    expect(seconds((await catalogRow(scenario))?.trial_end)).toBe(T + 14 * 86_400);

    await deliverNoted(catalogEvent(scenario, PRO_MONTHLY, { created: T + 10, cancelAt: T + 20 * 86_400, schedule: 'sub_sched_1' }));
    const cancelling = await catalogRow(scenario);
    expect([seconds(cancelling?.cancel_at), seconds(cancelling?.canceled_at), cancelling?.stripe_schedule_id]).toEqual([
      T + 20 * 86_400,
      T + 10,
      'sub_sched_1',
    ]);

    const ended = JSON.parse(
      catalogEvent(scenario, PRO_MONTHLY, { created: T + 20, status: 'canceled', schedule: null }, 'customer.subscription.deleted'),
    ) as { data: { object: Record<string, unknown> } };
    ended.data.object.ended_at = T + 20;
    await deliverNoted(JSON.stringify(ended));
    const final = await catalogRow(scenario);
    expect([final?.status, final?.is_active, seconds(final?.ended_at), final?.stripe_schedule_id]).toEqual([
      'canceled',
      false,
      T + 20,
      null,
    ]);
  });

  it('follows the ordering rule in both arrival orders: the newer event decides seats and dates', async () => {
    const older = catalogEvent(scenario, { ...TEAM_ANNUAL, quantity: 3 }, { created: T, cancelAt: T + 86_400 });
    const newer = catalogEvent(scenario, { ...TEAM_ANNUAL, quantity: 8 }, { created: T + 5, cancelAt: null });
    const other = freshScenario();
    const olderOther = catalogEvent(other, { ...TEAM_ANNUAL, quantity: 3 }, { created: T, cancelAt: T + 86_400 });
    const newerOther = catalogEvent(other, { ...TEAM_ANNUAL, quantity: 8 }, { created: T + 5, cancelAt: null });

    expect((await deliverNoted(older)).status).toBe('processed');
    expect((await deliverNoted(newer)).status).toBe('processed');
    expect((await deliverNoted(newerOther)).status).toBe('processed');
    expect((await deliverNoted(olderOther)).status).toBe('stale');
    for (const subject of [scenario, other]) {
      const stored = await catalogRow(subject);
      expect([stored?.quantity, stored?.cancel_at, seconds(stored?.last_event_at)]).toEqual([8, null, T + 5]);
    }
  });
});

describe('trial_will_end, paused and resumed', () => {
  it('apply the subscription they carry under the same rules', async () => {
    expect(
      await deliverNoted(
        catalogEvent(
          scenario,
          PRO_MONTHLY,
          { status: 'trialing', trial: { start: T, end: T + 3 * 86_400 } },
          'customer.subscription.trial_will_end',
        ),
      ),
    ).toEqual({ status: 'processed', note: null });
    expect(await catalogRow(scenario)).toMatchObject({ status: 'trialing', is_active: true, plan: 'pro' });
    expect(
      await deliverNoted(
        catalogEvent(
          scenario,
          PRO_MONTHLY,
          { created: T + 1, status: 'paused', previousAttributes: { status: 'trialing' } },
          'customer.subscription.paused',
        ),
      ),
    ).toEqual({ status: 'processed', note: null });
    expect(await catalogRow(scenario)).toMatchObject({ status: 'paused', is_active: false });
    expect(
      await deliverNoted(
        catalogEvent(
          scenario,
          PRO_MONTHLY,
          { created: T + 1, status: 'active', previousAttributes: { status: 'paused' } },
          'customer.subscription.resumed',
        ),
      ),
    ).toEqual({ status: 'processed', note: null });
    expect(await catalogRow(scenario)).toMatchObject({ status: 'active', is_active: true });
    expect(
      await deliverNoted(catalogEvent(scenario, PRO_MONTHLY, { created: T, status: 'paused' }, 'customer.subscription.paused')),
    ).toEqual({ status: 'stale', note: 'stale' });
  });
});

describe('the gate', () => {
  // The upsert is a database function called from a CTE: the pipeline's gate, closed (the event id is
  // already recorded), must keep it from running at all; open, the row is written.
  it('closed: nothing is written; open: the row is written', async () => {
    const { event } = subscriptionEvent(scenario, { created: T });
    const subscription = event.data.object as unknown as SubscriptionFields;
    const statement = (gate: Prisma.Sql) => {
      const effect = upsertSubscription({ subscription, observedAt: T, gate });
      return Prisma.sql`WITH ${Prisma.join(effect.ctes)} SELECT ${effect.userId} AS user_id, ${effect.note} AS note`;
    };
    const recorded = `evt_recorded_${scenario.subscriptionId}`;
    await pool.query("INSERT INTO stripe_webhook_events (id, type, status) VALUES ($1, 'test.recorded', 'processed')", [recorded]);
    const closed = statement(newEventGate(recorded));
    expect((await pool.query(closed.text, closed.values)).rows).toEqual([{ user_id: scenario.userId, note: 'stale' }]);
    expect(await state(scenario)).toBeUndefined();
    const open = statement(newEventGate(`evt_new_${scenario.subscriptionId}`));
    expect((await pool.query(open.text, open.values)).rows).toEqual([{ user_id: scenario.userId, note: null }]);
    expect(await state(scenario)).toMatchObject({ status: 'active', plan: 'pro', last_event_at: T });
  });
});
