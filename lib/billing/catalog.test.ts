import { describe, expect, it } from 'vitest';
import {
  CATALOG_PRICES,
  catalogPriceForStripePrice,
  catalogPriceOf,
  clampSeats,
  findCatalogPrice,
  findPlan,
  freeTrialDays,
  limitsOf,
  PLAN_IDS,
  PLANS,
  priceLabel,
} from './catalog';

// The catalog as a customer and Stripe see it: which prices exist, what a Stripe price sells, and
// that nothing outside the catalog sells anything.

const PRO_MONTHLY = { lookupKey: 'pro_monthly', plan: 'pro', billingPeriod: 'monthly', unitAmountCents: 2_000, seats: null };
const TEAM_ANNUAL = {
  lookupKey: 'team_annual',
  plan: 'team',
  billingPeriod: 'annual',
  unitAmountCents: 15_000,
  seats: { min: 2, max: 100 },
};

describe('the plans', () => {
  it('are Free, Pro and Team, in that order (lowest first: the order upgrades follow)', () => {
    expect(PLAN_IDS).toEqual(['free', 'pro', 'team']);
    expect(PLAN_IDS.map((plan) => PLANS[plan].name)).toEqual(['Free', 'Pro', 'Team']);
  });

  it('sell four prices by lookup key, none for Free', () => {
    expect(CATALOG_PRICES.map((price) => price.lookupKey)).toEqual(['pro_monthly', 'pro_annual', 'team_monthly', 'team_annual']);
    expect(CATALOG_PRICES.some((price) => price.plan === 'free')).toBe(false);
    expect(CATALOG_PRICES.map((price) => price.unitAmountCents)).toEqual([2_000, 20_000, 1_500, 15_000]);
  });

  it('give Pro a 14-day trial and no other plan one', () => {
    expect(PLAN_IDS.map(freeTrialDays)).toEqual([null, 14, null]);
  });

  it('unlock their limits; Team as many members as seats', () => {
    expect(limitsOf('free', 40)).toEqual({ projects: 3, teamMembers: 1, advancedAnalytics: false, prioritySupport: false });
    expect(limitsOf('pro', 40)).toEqual({ projects: 100, teamMembers: 20, advancedAnalytics: true, prioritySupport: true });
    expect(limitsOf('team', 40)).toEqual({ projects: 100, teamMembers: 40, advancedAnalytics: true, prioritySupport: true });
    expect(limitsOf('team', null)).toMatchObject({ teamMembers: 2 });
    expect(limitsOf('team', 500)).toMatchObject({ teamMembers: 100 });
  });
});

describe('finding a price or a plan', () => {
  it('by lookup key, or by plan and billing period (how a stored row names its price)', () => {
    expect(findCatalogPrice('pro_monthly')).toEqual(PRO_MONTHLY);
    expect(findCatalogPrice('team_annual')).toEqual(TEAM_ANNUAL);
    expect([findCatalogPrice('enterprise_monthly'), findCatalogPrice(null), findCatalogPrice(undefined)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(catalogPriceOf('team', 'annual')).toEqual(TEAM_ANNUAL);
    expect(catalogPriceOf('pro', 'monthly')).toEqual(PRO_MONTHLY);
    expect([catalogPriceOf('pro', null), catalogPriceOf('unknown', 'monthly'), catalogPriceOf('free', 'monthly')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('a plan by id; `unknown` and anything else is no plan', () => {
    expect(findPlan('team')).toMatchObject({ id: 'team', name: 'Team', seats: { min: 2, max: 100 } });
    expect(findPlan('free')).toMatchObject({ id: 'free', name: 'Free' });
    expect([findPlan('unknown'), findPlan(null), findPlan(undefined), findPlan('toString')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('names prices as pages show them', () => {
    expect(CATALOG_PRICES.map(priceLabel)).toEqual(['Pro Monthly', 'Pro Annual', 'Team Monthly', 'Team Annual']);
  });
});

describe('the plan a Stripe price sells', () => {
  it('is read from its lookup key first', () => {
    expect(catalogPriceForStripePrice({ id: 'price_anything', lookup_key: 'team_annual' }, {})).toEqual(TEAM_ANNUAL);
    expect(catalogPriceForStripePrice({ id: 'price_configured', lookup_key: 'pro_monthly' }, { team_annual: 'price_configured' })).toEqual(
      PRO_MONTHLY,
    );
  });

  it('else from a configured STRIPE_PRICE_<LOOKUP_KEY> id (prices that predate lookup keys)', () => {
    expect(catalogPriceForStripePrice({ id: 'price_old_team', lookup_key: null }, { team_annual: 'price_old_team' })).toEqual(TEAM_ANNUAL);
    expect(catalogPriceForStripePrice({ id: 'price_old_team' }, { pro_monthly: 'price_other', team_annual: 'price_old_team' })).toEqual(
      TEAM_ANNUAL,
    );
  });

  it('is nothing for any other price: a Payment Link, another product, a dashboard price, another key', () => {
    expect(catalogPriceForStripePrice({ id: 'price_payment_link', lookup_key: null }, {})).toBeUndefined();
    expect(
      catalogPriceForStripePrice({ id: 'price_other_app', lookup_key: 'other_app_pro' }, { pro_monthly: 'price_configured' }),
    ).toBeUndefined();
    expect(catalogPriceForStripePrice({ id: 'price_dashboard' })).toBeUndefined();
  });
});

describe('seats', () => {
  it('are 1 for a flat price, and within the plan range for a per-seat one (its minimum when unsaid)', () => {
    expect(clampSeats(PRO_MONTHLY, 12)).toBe(1);
    expect([5, 2, 100, 1, 0, 101, null, undefined, 2.5].map((seats) => clampSeats(TEAM_ANNUAL, seats))).toEqual([
      5, 2, 100, 2, 2, 100, 2, 2, 2,
    ]);
  });
});
