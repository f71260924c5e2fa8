import { describe, expect, it } from 'vitest';
import { billingPeriodForInterval, featuresFor, findPrice, isActiveStatus, pastDueGraceEndsAt, planForPrice, priceLabel } from './plans';

const PRO = { plan: 'pro', projects: 100, teamMembers: 20, advancedAnalytics: true, prioritySupport: true };
const FREE = { plan: 'free', projects: 3, teamMembers: 1, advancedAnalytics: false, prioritySupport: false };

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

  it('maps prices to plans and names them', () => {
    expect(planForPrice('price_1PgafmB7WZ01zgkW6dKueIc5')).toBe('pro');
    expect(planForPrice('price_unknown_recurring')).toBe('pro');
    expect(planForPrice(null)).toBe('free');
    expect(findPrice('price_1PgagYB7WZ01zgkWq8YrLy20')).toEqual({ id: 'price_1PgagYB7WZ01zgkWq8YrLy20', plan: 'pro', billingPeriod: 'annual', amountCents: 20_000 });
    expect(findPrice('price_unknown')).toBeUndefined();
    expect(priceLabel({ billingPeriod: 'monthly' })).toBe('Pro Monthly');
    expect(priceLabel({ billingPeriod: 'annual' })).toBe('Pro Annual');
  });
});

describe('featuresFor (the subscription row)', () => {
  const now = new Date('2027-03-10T12:00:00Z');
  const row = (status: string, isActive: boolean, pastDueSince: Date | null = null) => ({ plan: 'pro', status, isActive, pastDueSince });

  it('unlocks Pro for an active or trialing Pro row, Free otherwise', () => {
    expect(featuresFor(row('active', true), { now })).toEqual(PRO);
    expect(featuresFor(row('trialing', true), { now })).toEqual(PRO);
    expect(featuresFor(row('canceled', false), { now })).toEqual(FREE);
    expect(featuresFor({ plan: 'free', status: 'active', isActive: true }, { now })).toEqual(FREE);
    expect(featuresFor(null, { now })).toEqual(FREE);
    expect(featuresFor({ plan: 'pro', isActive: true })).toEqual(PRO); // rows without the newer fields still read
  });

  it('keeps Pro while past_due as long as Stripe retries when no grace period is configured', () => {
    const since = new Date('2026-01-01T00:00:00Z');
    expect(featuresFor(row('past_due', true, since), { now, graceDays: undefined })).toEqual(PRO);
    expect(pastDueGraceEndsAt(row('past_due', true, since), undefined)).toBeNull();
  });

  it('keeps Pro for PAST_DUE_GRACE_DAYS from past_due_since, then Free', () => {
    const since = new Date('2027-03-03T12:00:00Z');
    expect(pastDueGraceEndsAt(row('past_due', true, since), 7)).toEqual(new Date('2027-03-10T12:00:00Z'));
    expect(featuresFor(row('past_due', true, since), { now: new Date('2027-03-10T11:59:59Z'), graceDays: 7 })).toEqual(PRO);
    expect(featuresFor(row('past_due', true, since), { now: new Date('2027-03-10T12:00:00Z'), graceDays: 7 })).toEqual(FREE);
    expect(featuresFor(row('past_due', true, since), { now, graceDays: 0 })).toEqual(FREE);
    // the grace rule is for past_due only, and needs to know when it started
    expect(featuresFor(row('active', true, since), { now, graceDays: 0 })).toEqual(PRO);
    expect(featuresFor(row('past_due', true, null), { now, graceDays: 0 })).toEqual(PRO);
    expect(pastDueGraceEndsAt(row('past_due', true, null), 7)).toBeNull();
  });
});
