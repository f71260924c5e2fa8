import { env } from '../env';
import { type BillingPeriod, findPlan, limitsOf, type PlanId } from './catalog';
import type { SubscriptionStatus } from './subscriptions/subscription-statuses';

export type { BillingPeriod, PlanId } from './catalog';

/** The feature flags and limits a user has, as pages and the cache carry them. */
export type Features = {
  plan: PlanId;
  projects: number;
  teamMembers: number;
  advancedAnalytics: boolean;
  prioritySupport: boolean;
};

/** What a plan unlocks (for a per-seat plan, with this many seats). */
export function planFeatures(plan: PlanId, seats: number | null = null): Features {
  return { plan, ...limitsOf(plan, seats) };
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
  quantity?: number | null;
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
export function pastDueGraceEndsAt(
  subscription: SubscriptionForFeatures | null,
  graceDays: number | undefined = env.PAST_DUE_GRACE_DAYS,
): Date | null {
  if (subscription?.status !== 'past_due' || graceDays === undefined || !subscription.pastDueSince) return null;
  return new Date(subscription.pastDueSince.getTime() + graceDays * DAY_MS);
}

/**
 * The feature flags a subscription row unlocks: its catalog plan while it is active, trialing, or
 * past_due within the grace period; Free otherwise, and always Free for a price the catalog does
 * not sell (`unknown`).
 */
export function featuresFor(
  subscription: SubscriptionForFeatures | null,
  { now = new Date(), graceDays = env.PAST_DUE_GRACE_DAYS }: { now?: Date; graceDays?: number } = {},
): Features {
  const plan = findPlan(subscription?.plan)?.id;
  if (!subscription?.isActive || !plan) return planFeatures('free');
  const graceEnd = pastDueGraceEndsAt(subscription, graceDays);
  if (graceEnd && now.getTime() >= graceEnd.getTime()) return planFeatures('free');
  return planFeatures(plan, subscription.quantity ?? null);
}
