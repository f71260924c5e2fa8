import { describe, expect, it } from 'vitest';
import { COMPARED_FIELDS, diffSubscriptionRows } from './diff-subscription-rows';

describe('diffSubscriptionRows', () => {
  it('lists each compared field that differs, as text, stored vs Stripe', () => {
    const before = {
      status: 'past_due',
      plan: 'pro',
      stripe_price_id: 'price_a',
      cancel_at_period_end: true,
      current_period_end: '2026-12-01T00:00:00+00:00',
      quantity: 2,
      user_id: 'u1',
    };
    const after = {
      status: 'active',
      plan: 'pro',
      stripe_price_id: 'price_b',
      cancel_at_period_end: false,
      current_period_end: '2026-12-01T00:00:00+00:00',
      quantity: 3,
      user_id: 'u2',
    };
    expect(diffSubscriptionRows(before, after)).toEqual([
      { field: 'status', stored: 'past_due', stripe: 'active' },
      { field: 'stripe_price_id', stored: 'price_a', stripe: 'price_b' },
      { field: 'quantity', stored: '2', stripe: '3' },
      { field: 'cancel_at_period_end', stored: 'true', stripe: 'false' },
    ]);
  });

  it('skips fields the row does not have, and reads a missing row as every value null', () => {
    expect(diffSubscriptionRows({ status: 'active' }, { status: 'active' })).toEqual([]);
    expect(diffSubscriptionRows({ status: 'active', plan: 'pro' }, { status: 'active' })).toEqual([]);
    expect(diffSubscriptionRows(null, { status: 'active', trial_end: null, plan: 'pro' })).toEqual([
      { field: 'status', stored: null, stripe: 'active' },
      { field: 'plan', stored: null, stripe: 'pro' },
    ]);
    expect(diffSubscriptionRows({ user_id: null }, { user_id: 'u1', status: 'x' }, ['user_id'])).toEqual([
      { field: 'user_id', stored: null, stripe: 'u1' },
    ]);
  });

  it('compares every one of its fields, in its order', () => {
    const stored = Object.fromEntries(COMPARED_FIELDS.map((field) => [field, `stored ${field}`]));
    const stripe = Object.fromEntries(COMPARED_FIELDS.map((field) => [field, `stripe ${field}`]));
    expect(diffSubscriptionRows(stored, { ...stripe, user_id: 'u1', updated_at: 'now' }).map((difference) => difference.field)).toEqual([
      'status',
      'plan',
      'stripe_price_id',
      'quantity',
      'current_period_end',
      'cancel_at_period_end',
      'cancel_at',
      'canceled_at',
      'ended_at',
      'trial_end',
    ]);
  });

  it('compares status, plan and price, seats, period end, cancellation and trial end', () => {
    expect(COMPARED_FIELDS).toEqual(
      expect.arrayContaining([
        'status',
        'plan',
        'stripe_price_id',
        'quantity',
        'current_period_end',
        'cancel_at_period_end',
        'cancel_at',
        'trial_end',
      ]),
    );
  });
});
