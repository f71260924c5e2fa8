import { stripePriceIds } from '../env';

// The catalog: the one place that names plans, what they unlock, their trials and their prices.
// Prices are known by Stripe lookup keys (the same in every account and mode), never by `price_...`
// ids; `npm run stripe:setup` creates them. Adding a tier is one more entry in PLANS.

export type BillingPeriod = 'monthly' | 'annual';

/** What a plan unlocks: limits and feature flags. */
export type PlanLimits = { projects: number; teamMembers: number };
export type PlanFlags = { advancedAnalytics: boolean; prioritySupport: boolean };

/** A paid plan's prices, modelled on better-auth's Stripe plans: a monthly key and an annual one. */
export type Plan = {
  name: string;
  description: string;
  limits: PlanLimits;
  flags: PlanFlags;
  /** The monthly price's lookup key, and its amount in cents (per seat for a per-seat plan). */
  lookupKey?: string;
  monthlyAmountCents?: number;
  /** The annual price's lookup key, and its amount in cents (per seat for a per-seat plan). */
  annualDiscountLookupKey?: string;
  annualAmountCents?: number;
  /** Days of free trial for a customer who never had a subscription. */
  freeTrial?: { days: number };
  /** Per-seat plans: the quantity is the seat count, and `teamMembers` equals it. */
  seats?: { min: number; max: number };
};

export const PLANS = {
  free: {
    name: 'Free',
    description: 'For trying things out.',
    limits: { projects: 3, teamMembers: 1 },
    flags: { advancedAnalytics: false, prioritySupport: false },
  },
  pro: {
    name: 'Pro',
    description: 'For one person doing real work.',
    limits: { projects: 100, teamMembers: 20 },
    flags: { advancedAnalytics: true, prioritySupport: true },
    lookupKey: 'pro_monthly',
    monthlyAmountCents: 2_000,
    annualDiscountLookupKey: 'pro_annual',
    annualAmountCents: 20_000,
    freeTrial: { days: 14 },
  },
  team: {
    name: 'Team',
    description: 'For a team, billed per seat.',
    limits: { projects: 100, teamMembers: 2 },
    flags: { advancedAnalytics: true, prioritySupport: true },
    lookupKey: 'team_monthly',
    monthlyAmountCents: 1_500,
    annualDiscountLookupKey: 'team_annual',
    annualAmountCents: 15_000,
    seats: { min: 2, max: 100 },
  },
} as const satisfies Record<string, Plan>;

export type PlanId = keyof typeof PLANS;

/** A subscription row's plan: a catalog plan, or `unknown` for a price the catalog does not sell. */
export type StoredPlan = PlanId | 'unknown';

export const PLAN_IDS = Object.keys(PLANS) as PlanId[];

/** One sellable price of the catalog. */
export type CatalogPrice = {
  lookupKey: string;
  plan: PlanId;
  billingPeriod: BillingPeriod;
  /** Cents per period (per seat for a per-seat plan). */
  unitAmountCents: number;
  seats: { min: number; max: number } | null;
};

function pricesOf(plan: PlanId): CatalogPrice[] {
  const entry: Plan = PLANS[plan];
  const seats = entry.seats ?? null;
  const prices: CatalogPrice[] = [];
  if (entry.lookupKey)
    prices.push({ lookupKey: entry.lookupKey, plan, billingPeriod: 'monthly', unitAmountCents: entry.monthlyAmountCents ?? 0, seats });
  if (entry.annualDiscountLookupKey)
    prices.push({
      lookupKey: entry.annualDiscountLookupKey,
      plan,
      billingPeriod: 'annual',
      unitAmountCents: entry.annualAmountCents ?? 0,
      seats,
    });
  return prices;
}

/** Every price the catalog sells, plan by plan, monthly before annual. */
export const CATALOG_PRICES: readonly CatalogPrice[] = PLAN_IDS.flatMap(pricesOf);

/** The catalog price with this lookup key, or undefined. */
export function findCatalogPrice(lookupKey: string | null | undefined): CatalogPrice | undefined {
  return CATALOG_PRICES.find((price) => price.lookupKey === lookupKey);
}

/** The catalog price of a plan and billing period (how a stored row names its price), or undefined. */
export function catalogPriceOf(plan: string | null | undefined, billingPeriod: string | null | undefined): CatalogPrice | undefined {
  return CATALOG_PRICES.find((price) => price.plan === plan && price.billingPeriod === billingPeriod);
}

/** The plan with this id, or undefined (for `unknown` and anything else the catalog does not name). */
export function findPlan(plan: string | null | undefined): (Plan & { id: PlanId }) | undefined {
  const id = PLAN_IDS.find((candidate) => candidate === plan);
  return id ? { id, ...PLANS[id] } : undefined;
}

/** A Stripe price as a subscription item carries it: its id and, when set, its lookup key. */
export type StripePriceRef = { id: string; lookup_key?: string | null };

/**
 * The catalog price a Stripe price sells: by its lookup key, else by a `STRIPE_PRICE_<LOOKUP_KEY>`
 * id (prices that predate lookup keys); undefined for any other price, which unlocks nothing.
 */
export function catalogPriceForStripePrice(
  price: StripePriceRef,
  priceIds: Readonly<Record<string, string>> = stripePriceIds,
): CatalogPrice | undefined {
  const byKey = findCatalogPrice(price.lookup_key);
  if (byKey) return byKey;
  return CATALOG_PRICES.find((candidate) => priceIds[candidate.lookupKey] === price.id);
}

/** The plan's free trial in days, or null. */
export function freeTrialDays(plan: PlanId): number | null {
  const entry: Plan = PLANS[plan];
  return entry.freeTrial?.days ?? null;
}

/** "Pro Monthly", "Team Annual": how pages name a price. */
export function priceLabel(price: Pick<CatalogPrice, 'plan' | 'billingPeriod'>): string {
  return `${PLANS[price.plan].name} ${price.billingPeriod === 'annual' ? 'Annual' : 'Monthly'}`;
}

/** The seat count a checkout or change may buy: the plan's range for a per-seat price, else 1. */
export function clampSeats(price: Pick<CatalogPrice, 'seats'>, seats: number | null | undefined): number {
  if (!price.seats) return 1;
  // Number.isInteger already turns away null, undefined and fractions; a second typeof test would be dead code.
  const requested = Number.isInteger(seats) ? Number(seats) : price.seats.min;
  return Math.min(price.seats.max, Math.max(price.seats.min, requested));
}

/** What a paid plan unlocks: its limits and flags; a per-seat plan has as many team members as seats. */
export function limitsOf(plan: PlanId, seats: number | null | undefined): PlanLimits & PlanFlags {
  const entry: Plan = PLANS[plan];
  const teamMembers = entry.seats ? clampSeats({ seats: entry.seats }, seats) : entry.limits.teamMembers;
  return { ...entry.limits, ...entry.flags, teamMembers };
}
