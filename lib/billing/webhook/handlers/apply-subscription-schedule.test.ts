import type Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { eventRows, testPool } from '../../../../tests/support/database';
import { freshScenario, type Scenario } from '../../../../tests/support/stripe-events';
import { buildScheduleEvent, buildTestEvent, type TestPrice, type TestSchedulePhase } from '../../../dev/test-events';
import { subscriptionScheduleFields } from '../event-fields';
import { processStripeEvent } from '../process-stripe-event';
import { pendingChangeOf } from './apply-subscription-schedule';

// subscription_schedule.created|updated|released|canceled|completed: the pending change (a downgrade
// at the period end) kept on the subscription row, under its own ordering guard.

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

const T = 1_796_000_000;
const END = T + 365 * 86_400;
const TEAM_ANNUAL: TestPrice = {
  id: 'price_acct_team_annual',
  lookupKey: 'team_annual',
  interval: 'year',
  amountCents: 15_000,
  quantity: 5,
};
const PRO_MONTHLY: TestPrice = { id: 'price_acct_pro_monthly', lookupKey: 'pro_monthly', interval: 'month', amountCents: 2_000 };
const DOWNGRADE: TestSchedulePhase[] = [
  { start: T, end: END, price: TEAM_ANNUAL },
  { start: END, end: END + 30 * 86_400, price: PRO_MONTHLY },
];

type Row = {
  plan: string;
  stripe_schedule_id: string | null;
  pending_plan: string | null;
  pending_price_id: string | null;
  pending_billing_period: string | null;
  pending_quantity: number | null;
  pending_change_at: Date | null;
  status: string;
  last_event_at: Date | null;
  user_id: string | null;
};

async function row(scenario: Scenario) {
  const { rows } = await pool.query<Row>('SELECT * FROM user_subscriptions WHERE stripe_subscription_id = $1', [scenario.subscriptionId]);
  const stored = rows[0];
  return (
    stored && {
      plan: stored.plan,
      status: stored.status,
      schedule: stored.stripe_schedule_id,
      user_id: stored.user_id,
      pending:
        stored.pending_plan === null
          ? null
          : {
              plan: stored.pending_plan,
              price: stored.pending_price_id,
              period: stored.pending_billing_period,
              quantity: stored.pending_quantity,
              at: stored.pending_change_at ? stored.pending_change_at.getTime() / 1000 : null,
            },
    }
  );
}

async function deliver(body: string) {
  const event = JSON.parse(body) as Stripe.Event;
  const result = await processStripeEvent({ event, payload: body });
  const [recorded] = await eventRows(pool, event.id);
  return { status: result.status, note: recorded?.note ?? null, user: result.userId };
}

const schedule = (
  scenario: Scenario,
  type: string,
  options: { status?: string; created?: number; currentPhase?: number | null; scheduleId?: string; phases?: TestSchedulePhase[] } = {},
) =>
  buildScheduleEvent(type, {
    ids: scenario,
    scheduleId: options.scheduleId ?? 'sub_sched_A',
    status: options.status ?? 'active',
    phases: options.phases ?? DOWNGRADE,
    currentPhase: options.currentPhase === undefined ? 0 : options.currentPhase,
    created: options.created ?? T + 10,
  });

const subscription = (scenario: Scenario, created: number, scheduleId: string | null, price = TEAM_ANNUAL) =>
  buildTestEvent('customer.subscription.updated', { ids: scenario, price, created, status: 'active', schedule: scheduleId });

const PENDING_PRO = { plan: 'pro', price: 'price_acct_pro_monthly', period: 'monthly', quantity: 1, at: END };

let scenario: Scenario;
beforeEach(async () => {
  scenario = freshScenario();
  await deliver(subscription(scenario, T, null));
});

describe('a schedule that changes the plan at the period end', () => {
  it('created: the row keeps its id and what the next phase changes to, and when', async () => {
    expect(await deliver(schedule(scenario, 'subscription_schedule.created'))).toEqual({
      status: 'processed',
      note: null,
      user: scenario.userId,
    });
    expect(await row(scenario)).toEqual({
      plan: 'team',
      status: 'active',
      schedule: 'sub_sched_A',
      user_id: scenario.userId,
      pending: PENDING_PRO,
    });
  });

  it.each(['released', 'canceled', 'completed'])('%s: nothing is pending any more', async (status) => {
    await deliver(schedule(scenario, 'subscription_schedule.created'));
    expect(await deliver(schedule(scenario, `subscription_schedule.${status}`, { status, created: T + 20, currentPhase: null }))).toEqual({
      status: 'processed',
      note: null,
      user: scenario.userId,
    });
    expect(await row(scenario)).toMatchObject({ schedule: null, pending: null, plan: 'team' });
  });

  it('updated into its last phase: the change has happened, nothing is pending', async () => {
    await deliver(schedule(scenario, 'subscription_schedule.created'));
    expect((await deliver(schedule(scenario, 'subscription_schedule.updated', { created: T + 30, currentPhase: 1 }))).status).toBe(
      'processed',
    );
    expect(await row(scenario)).toMatchObject({ schedule: 'sub_sched_A', pending: null });
  });

  it('an older schedule event is stale and changes nothing (both arrival orders end the same)', async () => {
    const created = schedule(scenario, 'subscription_schedule.created', { created: T + 10 });
    const released = schedule(scenario, 'subscription_schedule.released', { status: 'released', created: T + 20, currentPhase: null });
    expect((await deliver(released)).status).toBe('processed');
    expect(await deliver(created)).toMatchObject({ status: 'stale', note: 'stale' });
    expect(await row(scenario)).toMatchObject({ schedule: null, pending: null });
  });

  it('an ended schedule never clears a newer schedule of the same subscription', async () => {
    await deliver(schedule(scenario, 'subscription_schedule.created', { scheduleId: 'sub_sched_B', created: T + 10 }));
    expect(
      (
        await deliver(
          schedule(scenario, 'subscription_schedule.released', {
            scheduleId: 'sub_sched_OLD',
            status: 'released',
            created: T + 20,
            currentPhase: null,
          }),
        )
      ).note,
    ).toBe('stale');
    expect(await row(scenario)).toMatchObject({ schedule: 'sub_sched_B', pending: PENDING_PRO });
  });
});

describe('schedule and subscription events together', () => {
  it('a subscription event without a schedule, newer than the schedule event, clears the pending change', async () => {
    await deliver(schedule(scenario, 'subscription_schedule.created', { created: T + 10 }));
    await deliver(subscription(scenario, T + 20, null));
    expect(await row(scenario)).toMatchObject({ schedule: null, pending: null });
  });

  it('an older subscription event (from before the schedule) keeps it', async () => {
    await deliver(schedule(scenario, 'subscription_schedule.created', { created: T + 10 }));
    await deliver(subscription(scenario, T + 5, null));
    expect(await row(scenario)).toMatchObject({ schedule: 'sub_sched_A', pending: PENDING_PRO });
  });

  it('a subscription event carrying the schedule keeps what the schedule event stored', async () => {
    await deliver(schedule(scenario, 'subscription_schedule.created', { created: T + 10 }));
    await deliver(subscription(scenario, T + 20, 'sub_sched_A'));
    expect(await row(scenario)).toMatchObject({ schedule: 'sub_sched_A', pending: PENDING_PRO });
  });

  it('a schedule arriving before any subscription event creates the row, which the subscription event then fills', async () => {
    const early = freshScenario();
    await pool.query('INSERT INTO users (id, stripe_customer_id) VALUES ($1, $2)', [early.userId, early.customerId]);
    expect(await deliver(schedule(early, 'subscription_schedule.created'))).toEqual({
      status: 'processed',
      note: null,
      user: early.userId,
    });
    expect(await row(early)).toMatchObject({
      plan: 'free',
      status: 'incomplete',
      schedule: 'sub_sched_A',
      pending: PENDING_PRO,
      user_id: early.userId,
    });
    await deliver(subscription(early, T, 'sub_sched_A'));
    expect(await row(early)).toMatchObject({ plan: 'team', status: 'active', schedule: 'sub_sched_A', pending: PENDING_PRO });
  });

  it('an ended schedule of a subscription never seen writes nothing', async () => {
    const unseen = freshScenario();
    expect(await deliver(schedule(unseen, 'subscription_schedule.released', { status: 'released', currentPhase: null }))).toEqual({
      status: 'processed',
      note: null,
      user: null,
    });
    expect(await row(unseen)).toBeUndefined();
  });

  it('a canceled subscription keeps no pending change', async () => {
    await deliver(buildTestEvent('customer.subscription.deleted', { ids: scenario, price: TEAM_ANNUAL, created: T + 5 }));
    expect((await deliver(schedule(scenario, 'subscription_schedule.created', { created: T + 10 }))).note).toBe('stale');
    expect(await row(scenario)).toMatchObject({ status: 'canceled', schedule: null, pending: null });
  });
});

describe('the next phase, read through the catalog', () => {
  const parse = (body: string) => subscriptionScheduleFields.parse((JSON.parse(body) as { data: { object: unknown } }).data.object);

  it('starts the schedule at its first phase when none is current yet', () => {
    expect(
      pendingChangeOf(parse(schedule(scenario, 'subscription_schedule.created', { status: 'not_started', currentPhase: null }))),
    ).toEqual({ plan: 'team', priceId: 'price_acct_team_annual', billingPeriod: 'annual', quantity: 5, changeAt: T });
  });

  it('reads an expanded price lookup key; a phase of prices outside the catalog is unknown', () => {
    const parsed = parse(schedule(scenario, 'subscription_schedule.updated'));
    const next = parsed.phases[1];
    if (!next) throw new Error('no second phase');
    next.metadata = {};
    next.items = [{ price: { id: 'price_x', lookup_key: 'pro_monthly' }, quantity: null }];
    expect(pendingChangeOf(parsed)).toEqual({ plan: 'pro', priceId: 'price_x', billingPeriod: 'monthly', quantity: 1, changeAt: END });
    next.items = [{ price: { id: 'price_elsewhere', lookup_key: null }, quantity: 3 }];
    expect(pendingChangeOf(parsed)).toEqual({
      plan: 'unknown',
      priceId: 'price_elsewhere',
      billingPeriod: null,
      quantity: 3,
      changeAt: END,
    });
    next.items = [];
    expect(pendingChangeOf(parsed)).toEqual({ plan: 'unknown', priceId: null, billingPeriod: null, quantity: null, changeAt: END });
  });

  it('reads a phase without metadata by its prices alone', () => {
    const parsed = parse(schedule(scenario, 'subscription_schedule.updated'));
    const next = parsed.phases[1];
    if (!next) throw new Error('no second phase');
    next.metadata = null;
    next.items = [{ price: { id: 'price_elsewhere', lookup_key: null }, quantity: 2 }];
    expect(pendingChangeOf(parsed)).toEqual({
      plan: 'unknown',
      priceId: 'price_elsewhere',
      billingPeriod: null,
      quantity: 2,
      changeAt: END,
    });
  });

  it('is nothing for a schedule that ended or has no next phase', () => {
    expect(pendingChangeOf(parse(schedule(scenario, 'subscription_schedule.released', { status: 'released' })))).toBeNull();
    expect(pendingChangeOf(parse(schedule(scenario, 'subscription_schedule.updated', { currentPhase: 1 })))).toBeNull();
  });
});
