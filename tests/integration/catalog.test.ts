import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildTestEvent, type TestPrice } from '../../lib/dev/test-events';
import { type AppServer, startApp, TEST_WEBHOOK_SECRETS } from '../support/app-server';
import { eventRows, subscriptionRow, testPool } from '../support/database';
import { deliver } from '../support/deliver';
import { startMailReceiver } from '../support/mail-receiver';
import { signUpVerified } from '../support/sign-up';
import { eventIdOf, freshScenario } from '../support/stripe-events';

// Over HTTP against `next start`: a price outside the catalog unlocks nothing, whatever Stripe bills,
// and a catalog price unlocks its plan, seats included. What the signed-in customer's app reports
// (/api/billing/status) and the stored rows are asserted.

const pool = testPool(inject('databaseUrl'));
let app: AppServer;
let appUrl = '';
let mail: Awaited<ReturnType<typeof startMailReceiver>>;
// Its own server: signing in needs a session secret, which the shared one goes without, and a mail API.
beforeAll(async () => {
  mail = await startMailReceiver();
  app = await startApp({
    databaseUrl: inject('appDatabaseUrl'),
    env: { ...inject('appDatabaseEnv'), BETTER_AUTH_SECRET: 'catalog-test-session-secret-0123456789abcdef', EMAIL_API_URL: mail.url },
    appUrlFromPort: true,
  });
  appUrl = app.url;
});
afterAll(async () => {
  await Promise.all([app.stop(), mail.close()]);
  await pool.end();
});
const [secret] = TEST_WEBHOOK_SECRETS as [string];

const T = Math.floor(Date.now() / 1000);
const PAYMENT_LINK: TestPrice = { id: 'price_1PaymentLinkOneDollar', lookupKey: null, interval: 'month', amountCents: 100 };
const OTHER_APP: TestPrice = { id: 'price_1OtherAppPro', lookupKey: 'other_app_pro', interval: 'month', amountCents: 2_000 };
const TEAM_MONTHLY: TestPrice = {
  id: 'price_1AccountTeamMonthly',
  lookupKey: 'team_monthly',
  interval: 'month',
  amountCents: 1_500,
  quantity: 5,
};

/** A customer signed up through the app (address confirmed by the e-mailed link): their id and session cookie. */
function signedUpCustomer(): Promise<{ userId: string; cookie: string }> {
  return signUpVerified({
    appUrl,
    mailUrl: mail.url,
    name: 'Buyer',
    email: `buyer-${randomBytes(6).toString('hex')}@example.com`,
    password: 'correct horse battery staple',
  });
}

async function billingStatus(cookie: string) {
  const response = await fetch(`${appUrl}/api/billing/status`, { headers: { cookie } });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    plan: string;
    planName: string;
    seats: number | null;
    teamMembers: number;
    isActive: boolean;
    status: string;
  };
}

describe('a price outside the catalog', () => {
  it.each([
    ['a $1 Payment Link price (no lookup key)', PAYMENT_LINK],
    ['another product of the same account (its own lookup key)', OTHER_APP],
  ])('%s is stored, active as Stripe says, noted unknown_price, and unlocks nothing', async (_name, price) => {
    const customer = await signedUpCustomer();
    const scenario = { ...freshScenario(), userId: customer.userId };
    const body = buildTestEvent('customer.subscription.created', { ids: scenario, price, created: T, status: 'active' });
    expect(await deliver(appUrl, body, { secret })).toEqual({ status: 200, body: { status: 'processed', event_id: eventIdOf(body) } });
    expect((await eventRows(pool, eventIdOf(body)))[0]).toMatchObject({
      status: 'processed',
      note: 'unknown_price',
      user_id: customer.userId,
    });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({
      plan: 'unknown',
      status: 'active',
      is_active: true,
      stripe_price_id: price.id,
      user_id: customer.userId,
    });
    expect(await billingStatus(customer.cookie)).toMatchObject({
      plan: 'free',
      planName: 'Free',
      teamMembers: 1,
      isActive: true,
      status: 'active',
    });
  });

  it('then moved to a catalog price unlocks that plan with its seats; an older unknown-price event is stale', async () => {
    const customer = await signedUpCustomer();
    const scenario = { ...freshScenario(), userId: customer.userId };
    await deliver(
      appUrl,
      buildTestEvent('customer.subscription.created', { ids: scenario, price: PAYMENT_LINK, created: T, status: 'active' }),
      { secret },
    );
    const upgrade = buildTestEvent('customer.subscription.updated', {
      ids: scenario,
      price: TEAM_MONTHLY,
      created: T + 5,
      status: 'active',
    });
    expect((await deliver(appUrl, upgrade, { secret })).body).toMatchObject({ status: 'processed' });
    expect((await eventRows(pool, eventIdOf(upgrade)))[0]?.note).toBeNull();
    expect(await billingStatus(customer.cookie)).toMatchObject({ plan: 'team', planName: 'Team', seats: 5, teamMembers: 5 });

    const late = buildTestEvent('customer.subscription.updated', { ids: scenario, price: PAYMENT_LINK, created: T + 1, status: 'active' });
    expect((await deliver(appUrl, late, { secret })).body).toMatchObject({ status: 'stale' });
    expect((await eventRows(pool, eventIdOf(late)))[0]?.note).toBe('stale');
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ plan: 'team', stripe_price_id: TEAM_MONTHLY.id });
  });
});
