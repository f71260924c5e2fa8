import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { subscriptionRow, testPool } from '../../../../tests/support/database';
import { invoiceEvent, subscribe, T } from '../../../../tests/support/invoice-events';
import { freshScenario, type Scenario, stripeEvent } from '../../../../tests/support/stripe-events';
import { processStripeEvent } from '../process-stripe-event';

// invoice.payment_succeeded: a renewal moves the period end, with the invoice shapes Stripe sends.

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

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
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({
      status: 'active',
      is_active: true,
      last_event_at: new Date(T * 1000),
    });
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
    const delivery = invoiceEvent('invoice.payment_succeeded', scenario, {
      lines: [{ end: 1_804_000_000 }, { end: 1_803_000_000, subscription: null }],
    });
    const lines = (delivery.event.data.object as unknown as { lines: { data: Record<string, unknown>[] } }).lines.data;
    lines[1]!.parent = {
      type: 'invoice_item_details',
      invoice_item_details: { invoice_item: 'ii_1', proration: false, subscription: null },
      subscription_item_details: null,
    };
    expect((await processStripeEvent({ event: delivery.event, payload: JSON.stringify(delivery.event) })).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_804_000_000);
  });

  it('pays the period of the line that starts latest, even if it ends earlier (annual to monthly)', async () => {
    await subscribe(scenario);
    const lines = [
      { start: 1_800_000_000, end: 1_831_536_000 },
      { start: 1_801_000_000, end: 1_803_592_000 },
      { start: 1_799_000_000, end: 1_830_536_000 },
    ];
    expect((await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines }))).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_803_592_000);
  });

  it('of two lines of the same period, takes the one that ends latest', async () => {
    await subscribe(scenario);
    const lines = [
      { start: 1_801_000_000, end: 1_803_000_000 },
      { start: 1_801_000_000, end: 1_805_000_000 },
      { start: 1_801_000_000, end: 1_804_000_000 },
    ];
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
    const before = ((await subscriptionRow(pool, scenario.subscriptionId)) as { updated_at?: Date } | undefined)?.updated_at;
    expect((await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines }))).status).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_800_000_000);
    // Not even touched.
    expect(((await subscriptionRow(pool, scenario.subscriptionId)) as { updated_at?: Date } | undefined)?.updated_at).toEqual(before);
  });

  it('never moves the period end backwards', async () => {
    await subscribe(scenario);
    expect(
      (await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines: [{ end: 1_790_000_000 }] }))).status,
    ).toBe('processed');
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
    expect(
      (await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines: [{ end: 1_810_000_000 }] }))).status,
    ).toBe('processed');
    expect(await periodEnd(scenario)).toBe(1_810_000_000);
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.status).toBe('past_due');
  });

  it('reads the subscription at the top level before basil', async () => {
    await subscribe(scenario);
    const lines = [{ end: 1_807_000_000, itemSubscription: null }];
    expect((await processStripeEvent(invoiceEvent('invoice.payment_succeeded', scenario, { lines, shape: 'legacy' }))).userId).toBe(
      scenario.userId,
    );
    expect(await periodEnd(scenario)).toBe(1_807_000_000);
  });

  it('reads the subscription under parent only when the parent is subscription details', async () => {
    await subscribe(scenario);
    const event = invoiceEvent('invoice.payment_succeeded', scenario, {
      lines: [{ end: 1_808_000_000, itemSubscription: null, subscription: null }],
      parentType: 'quote_details',
      subscription: 'sub_quoted',
    });
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

describe('invoice.payment_succeeded, the example event', () => {
  it('payment_succeeded moves the period end forward, never back', async () => {
    await processStripeEvent(stripeEvent('customer.subscription.created', scenario));
    const result = await processStripeEvent(stripeEvent('invoice.payment_succeeded', scenario));
    expect(result).toEqual({ status: 'processed', userId: scenario.userId, attempt: 1 });
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.current_period_end?.getTime()).toBe(1798538404 * 1000);

    await processStripeEvent(stripeEvent('customer.subscription.updated', scenario));
    await processStripeEvent(stripeEvent('invoice.payment_succeeded', scenario));
    expect((await subscriptionRow(pool, scenario.subscriptionId))?.current_period_end?.getTime()).toBe(1828452600 * 1000);
  });
});
