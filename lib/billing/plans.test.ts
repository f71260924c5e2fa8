import { describe, expect, it } from 'vitest';
import { billingPeriodForInterval, featuresFor, isActiveStatus, PLAN_FEATURES, planForPrice } from './plans';

describe('plans', () => {
  it('maps Stripe intervals to billing periods', () => {
    expect(billingPeriodForInterval('month')).toBe('monthly');
    expect(billingPeriodForInterval('year')).toBe('annual');
    expect(billingPeriodForInterval('week')).toBeNull();
    expect(billingPeriodForInterval(null)).toBeNull();
  });

  it('treats active, trialing and past_due as active', () => {
    expect(['active', 'trialing', 'past_due'].every(isActiveStatus)).toBe(true);
    expect(['canceled', 'unpaid', 'incomplete', 'incomplete_expired', 'paused'].some(isActiveStatus)).toBe(false);
  });

  it('maps prices to plans and plans to features', () => {
    expect(planForPrice('price_1PgafmB7WZ01zgkW6dKueIc5')).toBe('pro');
    expect(planForPrice('price_unknown_recurring')).toBe('pro');
    expect(planForPrice(null)).toBe('free');
    expect(featuresFor({ plan: 'pro', isActive: true })).toEqual(PLAN_FEATURES.pro);
    expect(featuresFor({ plan: 'pro', isActive: false })).toEqual(PLAN_FEATURES.free);
    expect(featuresFor({ plan: 'free', isActive: true })).toEqual(PLAN_FEATURES.free);
    expect(featuresFor(null)).toEqual(PLAN_FEATURES.free);
  });
});
