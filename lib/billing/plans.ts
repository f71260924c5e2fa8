import { env } from '../env';

export type PlanId = 'free' | 'pro';
export type BillingPeriod = 'monthly' | 'annual';

export type Features = {
  plan: PlanId;
  projects: number;
  teamMembers: number;
  advancedAnalytics: boolean;
  prioritySupport: boolean;
};

/** What each plan unlocks: the one place that maps plans to feature flags. */
export const PLAN_FEATURES: Record<PlanId, Features> = {
  free: { plan: 'free', projects: 3, teamMembers: 1, advancedAnalytics: false, prioritySupport: false },
  pro: { plan: 'pro', projects: 100, teamMembers: 20, advancedAnalytics: true, prioritySupport: true },
};

export type Price = { id: string; plan: PlanId; billingPeriod: BillingPeriod; amountCents: number };

export const PRICES: Price[] = [
  { id: env.STRIPE_PRICE_PRO_MONTHLY, plan: 'pro', billingPeriod: 'monthly', amountCents: 2_000 },
  { id: env.STRIPE_PRICE_PRO_ANNUAL, plan: 'pro', billingPeriod: 'annual', amountCents: 20_000 },
];

/**
 * The plan a Stripe price sells. Every recurring price in this product is Pro, so an unknown one
 * (say, a price created in the dashboard but not yet configured) still unlocks what was paid for.
 */
export function planForPrice(priceId: string | null): PlanId {
  if (!priceId) return 'free';
  return PRICES.find((price) => price.id === priceId)?.plan ?? 'pro';
}

/** `monthly` | `annual` from Stripe's `price.recurring.interval`; other intervals have no name here. */
export function billingPeriodForInterval(interval: string | null | undefined): BillingPeriod | null {
  if (interval === 'month') return 'monthly';
  if (interval === 'year') return 'annual';
  return null;
}

const ACTIVE_STATUSES = new Set(['active', 'trialing', 'past_due']);

/** Active while Stripe bills it; `past_due` keeps access as grace while Stripe retries the card. */
export function isActiveStatus(status: string): boolean {
  return ACTIVE_STATUSES.has(status);
}

/** Stripe never revives these: no later delivery may change such a row. */
export const TERMINAL_STATUSES = ['canceled', 'incomplete_expired'] as const;

export function featuresFor(subscription: { plan: string; isActive: boolean } | null): Features {
  if (!subscription?.isActive) return PLAN_FEATURES.free;
  return subscription.plan === 'pro' ? PLAN_FEATURES.pro : PLAN_FEATURES.free;
}
