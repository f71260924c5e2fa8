import { describe, expect, it } from 'vitest';
import { billingPeriodForInterval, featuresFor, isActiveStatus, pastDueGraceEndsAt, planFeatures } from './plans';

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

  it('spells out what each plan unlocks; a Team has as many members as seats', () => {
    expect(planFeatures('free')).toEqual(FREE);
    expect(planFeatures('pro')).toEqual(PRO);
    expect(planFeatures('team', 5)).toEqual({
      plan: 'team',
      projects: 100,
      teamMembers: 5,
      advancedAnalytics: true,
      prioritySupport: true,
    });
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

  it('unlocks Team with the seats as team members, and nothing for a price outside the catalog', () => {
    expect(featuresFor({ plan: 'team', status: 'active', isActive: true, quantity: 7 }, { now })).toEqual({
      ...PRO,
      plan: 'team',
      teamMembers: 7,
    });
    expect(featuresFor({ plan: 'team', status: 'active', isActive: true, quantity: null }, { now })).toEqual({
      ...PRO,
      plan: 'team',
      teamMembers: 2,
    });
    expect(featuresFor({ plan: 'unknown', status: 'active', isActive: true, quantity: 50 }, { now })).toEqual(FREE);
    expect(featuresFor({ plan: 'enterprise', status: 'active', isActive: true }, { now })).toEqual(FREE);
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
