import type Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { testPool } from '../../../../tests/support/database';
import { freshScenario, type Scenario } from '../../../../tests/support/stripe-events';
import { buildTestEvent, type TestPrice } from '../../../dev/test-events';
import { processStripeEvent } from '../process-stripe-event';

// invoice.payment_action_required: the bank asks the customer to confirm; the dashboard's banner
// reads the stored invoice page until that invoice is paid, whichever event arrives first.

const pool = testPool(inject('databaseUrl'));
afterAll(() => pool.end());

const T = 1_796_000_000;
const PRO_MONTHLY: TestPrice = { id: 'price_acct_pro_monthly', lookupKey: 'pro_monthly', interval: 'month', amountCents: 2_000 };
const URL = 'https://invoice.stripe.com/i/acct_test/test_confirm';

async function deliver(body: string) {
  return (await processStripeEvent({ event: JSON.parse(body) as Stripe.Event, payload: body })).status;
}

async function banner(scenario: Scenario) {
  const { rows } = await pool.query<{
    payment_action_invoice_id: string | null;
    payment_action_url: string | null;
    last_paid_invoice_id: string | null;
  }>(
    'SELECT payment_action_invoice_id, payment_action_url, last_paid_invoice_id FROM user_subscriptions WHERE stripe_subscription_id = $1',
    [scenario.subscriptionId],
  );
  return rows[0];
}

const actionRequired = (scenario: Scenario, invoiceId: string) =>
  buildTestEvent('invoice.payment_action_required', {
    ids: scenario,
    created: T + 10,
    invoiceId,
    hostedInvoiceUrl: URL,
    period: { start: T, end: T + 30 * 86_400 },
  });
const paid = (scenario: Scenario, invoiceId: string) =>
  buildTestEvent('invoice.payment_succeeded', { ids: scenario, created: T + 20, invoiceId, period: { start: T, end: T + 30 * 86_400 } });

let scenario: Scenario;
beforeEach(async () => {
  scenario = freshScenario();
  await deliver(buildTestEvent('customer.subscription.created', { ids: scenario, price: PRO_MONTHLY, created: T, status: 'active' }));
});

describe('invoice.payment_action_required', () => {
  it('stores the invoice and its hosted page; paying that invoice clears them', async () => {
    expect(await deliver(actionRequired(scenario, 'in_confirm1'))).toBe('processed');
    expect(await banner(scenario)).toMatchObject({ payment_action_invoice_id: 'in_confirm1', payment_action_url: URL });
    expect(await deliver(paid(scenario, 'in_other'))).toBe('processed');
    expect(await banner(scenario)).toMatchObject({ payment_action_invoice_id: 'in_confirm1', payment_action_url: URL });
    expect(await deliver(paid(scenario, 'in_confirm1'))).toBe('processed');
    expect(await banner(scenario)).toEqual({
      payment_action_invoice_id: null,
      payment_action_url: null,
      last_paid_invoice_id: 'in_confirm1',
    });
  });

  it('arriving after the payment of the same invoice leaves no banner', async () => {
    expect(await deliver(paid(scenario, 'in_confirm2'))).toBe('processed');
    expect(await deliver(actionRequired(scenario, 'in_confirm2'))).toBe('processed');
    expect(await banner(scenario)).toEqual({
      payment_action_invoice_id: null,
      payment_action_url: null,
      last_paid_invoice_id: 'in_confirm2',
    });
  });

  it('clears when paid even if the payment carries no new period (the renewal moved nothing)', async () => {
    await deliver(actionRequired(scenario, 'in_confirm3'));
    const body = JSON.parse(paid(scenario, 'in_confirm3')) as { data: { object: { lines: { data: unknown[] } } } };
    body.data.object.lines.data = [];
    expect(await deliver(JSON.stringify(body))).toBe('processed');
    expect(await banner(scenario)).toMatchObject({ payment_action_invoice_id: null, payment_action_url: null });
  });

  it('changes nothing on a canceled subscription', async () => {
    await deliver(buildTestEvent('customer.subscription.deleted', { ids: scenario, price: PRO_MONTHLY, created: T + 5 }));
    expect(await deliver(actionRequired(scenario, 'in_confirm4'))).toBe('processed');
    expect(await banner(scenario)).toMatchObject({ payment_action_invoice_id: null, payment_action_url: null });
  });
});
