import type Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventRows, subscriptionRow, testPool } from '../../../../tests/support/database';
import { eventBody, freshScenario, type Scenario } from '../../../../tests/support/stripe-events';
import { processStripeEvent } from '../process-stripe-event';

// invoice.payment_succeeded (a renewal moves the period end) and invoice.payment_failed (recorded for
// the invoice's user), with the invoice shapes Stripe sends: several lines, lines of other
// subscriptions, the subscription under `parent` (basil) or at the top level (before basil).

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

const T = 1_796_000_000;

type Line = { end: number; start?: number; subscription?: string | null; itemSubscription?: string | null; proration?: boolean; legacyProration?: boolean };
type InvoiceShape = {
  lines?: Line[];
  /** basil: the subscription and its metadata under `parent`; legacy: at the top level. */
  shape?: 'basil' | 'legacy';
  metadata?: Record<string, string> | null;
  parentType?: string;
  subscription?: string;
};

function invoiceEvent(type: 'invoice.payment_succeeded' | 'invoice.payment_failed', scenario: Scenario, { lines, shape = 'basil', metadata = { user_id: scenario.userId }, parentType = 'subscription_details', subscription = scenario.subscriptionId }: InvoiceShape = {}) {
  const event = JSON.parse(eventBody(type, scenario, { created: T + 100 })) as Stripe.Event;
  const invoice = event.data.object as unknown as Record<string, unknown> & { lines: { data: Record<string, unknown>[] } };
  const template = invoice.lines.data[0]!;
  if (lines) {
    invoice.lines.data = lines.map((line) => ({
      ...template,
      period: { start: line.start ?? line.end - 2_592_000, end: line.end },
      subscription: line.subscription === undefined ? subscription : line.subscription,
      ...(line.legacyProration === undefined ? {} : { proration: line.legacyProration }),
      parent: line.itemSubscription === null ? null : {
        type: 'subscription_item_details',
        subscription_item_details: { invoice_item: null, proration: line.proration ?? false, subscription: line.itemSubscription ?? subscription, subscription_item: 'si_1' },
      },
    }));
  }
  if (shape === 'legacy') {
    invoice.parent = null;
    invoice.subscription = subscription;
    invoice.subscription_details = { metadata };
  } else {
    invoice.parent = { type: parentType, quote_details: null, subscription_details: { subscription, metadata } };
  }
  return { event, payload: JSON.stringify(event) };
}

async function subscribe(scenario: Scenario, status = 'active', periodEnd = 1_800_000_000) {
  const event = JSON.parse(eventBody('customer.subscription.updated', scenario, { created: T, status })) as Stripe.Event;
  for (const item of (event.data.object as unknown as { items: { data: { current_period_end: number }[] } }).items.data) item.current_period_end = periodEnd;
  expect((await processStripeEvent({ event, payload: JSON.stringify(event) })).status).toBe('processed');
}

const periodEnd = async (scenario: Scenario) => {
  const end = (await subscriptionRow(pool, scenario.subscriptionId))?.current_period_end;
  return end ? end.getTime() / 1000 : null;
};

let scenario: Scenario;
beforeEach(() => {
  scenario = freshScenario();
});

describe('invoice.payment_succeeded', () => {
  it('moves the period end to the end of the invoice line', async () => {
    await subscribe(scenario);
    const result = await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines: [{ end: 1_802_592_000 }] }));
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect(await periodEnd(scenario)).toBe(1_802_592_000);
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', is_active: true, last_event_at: new Date(T * 1000) });
  });

  it('takes the latest end among the lines of this subscription, not the lines of another one', async () => {
    await subscribe(scenario);
    const lines = [
      { end: 1_803_000_000 },
      { end: 1_805_000_000 },
      { end: 1_900_000_000, subscription: 'sub_other', itemSubscription: 'sub_other' },
      { end: 1_901_000_000, subscription: 'sub_other', itemSubscription: null },
    ];
    expect((await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines }))).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_805_000_000);
  });

  it('reads past a one-off invoice item line, which has no subscription item details', async () => {
    await subscribe(scenario);
    const delivery = invoiceEvent('invoice.payment_succeeded', scenario, { lines: [{ end: 1_804_000_000 }, { end: 1_803_000_000, subscription: null }] });
    const lines = (delivery.event.data.object as unknown as { lines: { data: Record<string, unknown>[] } }).lines.data;
    lines[1]!.parent = { type: 'invoice_item_details', invoice_item_details: { invoice_item: 'ii_1', proration: false, subscription: null }, subscription_item_details: null };
    expect((await processStripeEvent({ event: delivery.event, payload: JSON.stringify(delivery.event) })).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_804_000_000);
  });

  it('pays the period of the line that starts latest, even if it ends earlier (annual to monthly)', async () => {
    await subscribe(scenario);
    const lines = [{ start: 1_800_000_000, end: 1_831_536_000 }, { start: 1_801_000_000, end: 1_803_592_000 }, { start: 1_799_000_000, end: 1_830_536_000 }];
    expect((await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines }))).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_803_592_000);
  });

  it('of two lines of the same period, takes the one that ends latest', async () => {
    await subscribe(scenario);
    const lines = [{ start: 1_801_000_000, end: 1_803_000_000 }, { start: 1_801_000_000, end: 1_805_000_000 }, { start: 1_801_000_000, end: 1_804_000_000 }];
    expect((await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines }))).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_805_000_000);
  });

  it('reads past proration lines (credit for the old price), in either API version', async () => {
    await subscribe(scenario);
    const lines = [
      { start: 1_801_000_000, end: 1_803_592_000 },
      { start: 1_802_000_000, end: 1_820_000_000, proration: true },
      { start: 1_802_500_000, end: 1_821_000_000, itemSubscription: null, legacyProration: true },
    ];
    expect((await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines }))).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_803_592_000);
  });

  it('counts a line that names no subscription as one of the invoice subscription', async () => {
    await subscribe(scenario);
    const lines = [{ end: 1_806_000_000, subscription: null, itemSubscription: null }];
    expect((await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines }))).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_806_000_000);
  });

  it('moves nothing when no line bills this subscription', async () => {
    await subscribe(scenario);
    const lines = [{ end: 1_900_000_000, subscription: 'sub_other', itemSubscription: 'sub_other' }];
    const before = (await subscriptionRow(pool, scenario.subscriptionId) as { updated_at?: Date } | undefined)?.updated_at;
    expect((await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines }))).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_800_000_000);
    // Not even touched.
    expect((await subscriptionRow(pool, scenario.subscriptionId) as { updated_at?: Date } | undefined)?.updated_at).toEqual(before);
  });

  it('never moves the period end backwards', async () => {
    await subscribe(scenario);
    expect((await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines: [{ end: 1_790_000_000 }] }))).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_800_000_000);
  });

  it.each(['canceled', 'incomplete_expired'])('never touches a %s subscription', async (terminal) => {
    await subscribe(scenario, terminal);
    const result = await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines: [{ end: 1_810_000_000 }] }));
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: terminal, is_active: false });
    expect(await periodEnd(scenario)).toBe(1_800_000_000);
  });

  it('renews a past_due subscription too (the status itself arrives as a subscription event)', async () => {
    await subscribe(scenario, 'past_due');
    expect((await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines: [{ end: 1_810_000_000 }] }))).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_810_000_000);
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.status).toBe('past_due');
  });

  it('reads the subscription at the top level before basil', async () => {
    await subscribe(scenario);
    const lines = [{ end: 1_807_000_000, itemSubscription: null }];
    expect((await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines, shape: 'legacy' }))).userId).toBe(scenario.userId);
    expect(await periodEnd(scenario)).toBe(1_807_000_000);
  });

  it('reads the subscription under parent only when the parent is subscription details', async () => {
    await subscribe(scenario);
    const event = invoiceEvent('invoice.payment_succeeded', scenario, { lines: [{ end: 1_808_000_000, itemSubscription: null, subscription: null }], parentType: 'quote_details', subscription: 'sub_quoted' });
    (event.event.data.object as unknown as { subscription: string }).subscription = scenario.subscriptionId;
    expect((await processStripeEvent({ event: event.event, payload: JSON.stringify(event.event) })).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_808_000_000);
    expect(await subscriptionRow(pool, 'sub_quoted')).toBeUndefined();
  });

  it('of a subscription this app has no row for, is recorded for the metadata user and creates nothing', async () => {
    const result = await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines: [{ end: 1_810_000_000 }] }));
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toBeUndefined();
  });
});

describe('invoice.payment_failed', () => {
  it('is recorded for the metadata user and changes nothing (the status comes as a subscription event)', async () => {
    await subscribe(scenario);
    const delivery = invoiceEvent('invoice.payment_failed', scenario, { lines: [{ end: 1_810_000_000 }] });
    expect(await processStripeEvent(delivery)).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect((await eventRows(pool, delivery.event.id))[0]).toMatchObject({ status: 'processed', note: null, user_id: scenario.userId, type: 'invoice.payment_failed' });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', is_active: true });
    expect(await periodEnd(scenario)).toBe(1_800_000_000);
  });

  it('reads the metadata of the legacy shape too', async () => {
    expect((await processStripeEvent(invoiceEvent('invoice.payment_failed', scenario, { shape: 'legacy' }))).userId).toBe(scenario.userId);
  });

  it('without metadata (or an empty user id) finds the user on the subscription row', async () => {
    await subscribe(scenario);
    expect((await processStripeEvent(invoiceEvent('invoice.payment_failed', scenario, { metadata: null }))).userId).toBe(scenario.userId);
    expect((await processStripeEvent(invoiceEvent('invoice.payment_failed', scenario, { metadata: { user_id: '' } }))).userId).toBe(scenario.userId);
    expect((await processStripeEvent(invoiceEvent('invoice.payment_failed', scenario, { metadata: null, shape: 'legacy' }))).userId).toBe(scenario.userId);
  });

  it('of an invoice that bills no subscription is recorded for the user of the customer', async () => {
    await pool.query('INSERT INTO users (id, stripe_customer_id) VALUES ($1, $2)', [scenario.userId, scenario.customerId]);
    const delivery = invoiceEvent('invoice.payment_failed', scenario, { lines: [{ end: 1_810_000_000, subscription: null, itemSubscription: null }] });
    const invoice = delivery.event.data.object as unknown as Record<string, unknown>;
    invoice.parent = null;
    delete invoice.subscription;
    delete invoice.subscription_details;
    expect(await processStripeEvent({ event: delivery.event, payload: JSON.stringify(delivery.event) })).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
  });

  it('without metadata nor subscription row finds the user of the customer, else none', async () => {
    expect(await processStripeEvent(invoiceEvent('invoice.payment_failed', scenario, { metadata: null }))).toEqual({ status: 'processed', userId: null, attempt: 1 });
    await pool.query('INSERT INTO users (id, stripe_customer_id) VALUES ($1, $2)', [scenario.userId, scenario.customerId]);
    expect(await processStripeEvent(invoiceEvent('invoice.payment_failed', scenario, { metadata: null }))).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
  });
});
