import { env } from '../env';
import type { SubscriptionStatus } from './subscriptions/subscription-statuses';

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
  // Stryker disable next-line ArrowFunction,ConditionalExpression,EqualityOperator: every configured price sells Pro and an unknown one is Pro too; the lookup cannot change the plan
  return PRICES.find((price) => price.id === priceId)?.plan ?? 'pro';
}

/** `monthly` | `annual` from Stripe's `price.recurring.interval`; other intervals have no name here. */
export function billingPeriodForInterval(interval: string | null | undefined): BillingPeriod | null {
  if (interval === 'month') return 'monthly';
  if (interval === 'year') return 'annual';
  return null;
}

const ACTIVE_STATUSES: ReadonlySet<string> = new Set<SubscriptionStatus>(['active', 'trialing', 'past_due']);

/** Active while Stripe bills it; `past_due` keeps access as grace while Stripe retries the card. */
export function isActiveStatus(status: string): boolean {
  return ACTIVE_STATUSES.has(status);
}

/** Stripe never revives these: no later delivery may change such a row. */
export const TERMINAL_STATUSES = ['canceled', 'incomplete_expired'] as const satisfies readonly SubscriptionStatus[];

/** The subscription fields the plan rules read: a `user_subscriptions` row has them all. */
export type SubscriptionForFeatures = {
  plan: string;
  isActive: boolean;
  status?: string | null;
  pastDueSince?: Date | null;
};

const DAY_MS = 86_400_000;

/**
 * When a past_due subscription stops unlocking Pro: `pastDueSince` + PAST_DUE_GRACE_DAYS, or null
 * when no limit applies (not past_due, no grace configured: as long as Stripe retries the card, or
 * the start of the failure unknown).
 */
export function pastDueGraceEndsAt(subscription: SubscriptionForFeatures | null, graceDays: number | undefined = env.PAST_DUE_GRACE_DAYS): Date | null {
  if (subscription?.status !== 'past_due' || graceDays === undefined || !subscription.pastDueSince) return null;
  return new Date(subscription.pastDueSince.getTime() + graceDays * DAY_MS);
}

/**
 * The feature flags a subscription row unlocks: Pro while it is active, trialing, or past_due within
 * the grace period; Free otherwise.
 */
export function featuresFor(
  subscription: SubscriptionForFeatures | null,
  { now = new Date(), graceDays = env.PAST_DUE_GRACE_DAYS }: { now?: Date; graceDays?: number } = {},
): Features {
  if (!subscription?.isActive || subscription.plan !== 'pro') return PLAN_FEATURES.free;
  const graceEnd = pastDueGraceEndsAt(subscription, graceDays);
  if (graceEnd && now.getTime() >= graceEnd.getTime()) return PLAN_FEATURES.free;
  return PLAN_FEATURES.pro;
}

/** The configured price with this id, or undefined. */
export function findPrice(priceId: string | null | undefined): Price | undefined {
  return PRICES.find((price) => price.id === priceId);
}

/** "Pro Monthly" / "Pro Annual": how pages name a price. */
export function priceLabel(price: Pick<Price, 'billingPeriod'>): string {
  return price.billingPeriod === 'annual' ? 'Pro Annual' : 'Pro Monthly';
}
