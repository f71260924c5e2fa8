import type Stripe from 'stripe';
import { z } from 'zod';
import type { CurrentUser } from '../auth/current-user';
import type { UserSubscription } from '../db/generated/client';
import { formatDate, formatUsd } from '../format';
import { BillingError } from '../http/billing-error';
import { type CatalogPrice, catalogPriceOf, clampSeats, findCatalogPrice, PLAN_IDS, priceLabel } from './catalog';
import { MissingCatalogPriceError } from './create-checkout-session';
import { findLiveSubscription } from './find-live-subscription';
import { resolveCatalogPriceId } from './resolve-catalog-price';

/** What a customer can change on their own subscription from the app's pages. */
export type SubscriptionChange =
  | { kind: 'switch_price'; lookupKey: string; seats: number | null }
  | { kind: 'cancel_at_period_end' }
  | { kind: 'resume' }
  | { kind: 'undo_pending_change' };

/** The change a form posts (`change` = switch_price | cancel_at_period_end | resume | undo_pending_change, `lookupKey`, `seats`; a blank or bad seat count is none). */
export const subscriptionChangeForm = z
  .discriminatedUnion('change', [
    z.object({
      change: z.literal('switch_price'),
      lookupKey: z.string().min(1).max(100),
      seats: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
    }),
    z.object({ change: z.literal('cancel_at_period_end') }),
    z.object({ change: z.literal('resume') }),
    z.object({ change: z.literal('undo_pending_change') }),
  ])
  .transform((form): SubscriptionChange =>
    form.change === 'switch_price' ? { kind: 'switch_price', lookupKey: form.lookupKey, seats: form.seats ?? null } : { kind: form.change },
  );

/** The change a form posts, or a BillingError (400). */
export function parseSubscriptionChange(form: FormData): SubscriptionChange {
  const parsed = subscriptionChangeForm.safeParse(
    Object.fromEntries([...form.entries()].filter(([, value]) => typeof value === 'string' && value !== '')),
  );
  if (!parsed.success) throw new BillingError('Unknown subscription change.', 400);
  return parsed.data;
}

/** Where a subscription stands in the catalog: its plan, billing period and seats. */
export type CatalogPosition = { price: CatalogPrice; seats: number };

/**
 * Whether moving from `current` to `target` is an upgrade (a higher plan, monthly to annual, more
 * seats: at once, prorated), a downgrade (the reverse: at the period end, through a schedule), or
 * no change. The plan decides first, then the billing period, then the seats.
 */
export function changeDirection(current: CatalogPosition, target: CatalogPosition): 'upgrade' | 'downgrade' | 'none' {
  const periods = ['monthly', 'annual'];
  const steps = [
    PLAN_IDS.indexOf(target.price.plan) - PLAN_IDS.indexOf(current.price.plan),
    periods.indexOf(target.price.billingPeriod) - periods.indexOf(current.price.billingPeriod),
    target.seats - current.seats,
  ];
  const step = steps.find((difference) => difference !== 0) ?? 0;
  return step > 0 ? 'upgrade' : step < 0 ? 'downgrade' : 'none';
}

/** The catalog price and seats a stored subscription row bills, or undefined for a price outside the catalog. */
export function positionOf(subscription: Pick<UserSubscription, 'plan' | 'billingPeriod' | 'quantity'>): CatalogPosition | undefined {
  const price = catalogPriceOf(subscription.plan, subscription.billingPeriod);
  return price ? { price, seats: clampSeats(price, subscription.quantity) } : undefined;
}

export type PreparedSubscriptionChange = {
  subscription: UserSubscription;
  change: SubscriptionChange;
  /** For a price switch: the target and whether it applies now (upgrade) or at the period end (downgrade). */
  target?: CatalogPosition & { direction: 'upgrade' | 'downgrade' };
};

/**
 * Checks a change against the user's live subscription (active, trialing or past_due) and returns
 * the row it applies to; a BillingError says why it cannot be made.
 */
export async function prepareSubscriptionChange(
  user: Pick<CurrentUser, 'id' | 'stripeCustomerId'>,
  change: SubscriptionChange,
): Promise<PreparedSubscriptionChange> {
  const subscription = await findLiveSubscription(user);
  if (!subscription) throw new BillingError('You have no subscription to change: choose a plan first.', 400);
  if (change.kind === 'resume' && !subscription.cancelAtPeriodEnd && !subscription.cancelAt)
    throw new BillingError('Your subscription is not set to cancel.', 400);
  if (change.kind === 'undo_pending_change' && !subscription.stripeScheduleId)
    throw new BillingError('There is no pending change to undo.', 400);
  if (change.kind !== 'switch_price') return { subscription, change };

  const price = findCatalogPrice(change.lookupKey);
  if (!price) throw new BillingError('Unknown price.', 400);
  const target = { price, seats: clampSeats(price, change.seats) };
  const current = positionOf(subscription);
  if (!current) throw new BillingError('Your subscription is on a price this app does not sell: change it in the billing portal.', 409);
  const direction = changeDirection(current, target);
  if (direction === 'none') throw new BillingError(`You are already on ${describePosition(target)}.`, 400);
  if (subscription.status === 'past_due') throw new BillingError('Your last payment failed: update your card before switching plans.', 400);
  return { subscription, change, target: { ...target, direction } };
}

/** "Pro Monthly", "Team Annual, 5 seats". */
export function describePosition({ price, seats }: CatalogPosition): string {
  return price.seats ? `${priceLabel(price)}, ${seats} seats` : priceLabel(price);
}

const subscriptionItems = z.object({
  items: z.object({
    data: z.array(z.object({ id: z.string(), price: z.object({ id: z.string() }), quantity: z.number().int().optional() })).min(1),
  }),
});
const scheduleFields = z.object({
  id: z.string(),
  phases: z
    .array(
      z.object({
        start_date: z.number().int(),
        end_date: z.number().int().nullable(),
        items: z.array(
          z.object({
            price: z.union([z.string(), z.object({ id: z.string() }).transform((price) => price.id)]),
            quantity: z.number().int().optional(),
          }),
        ),
      }),
    )
    .min(1),
});

/**
 * Makes the change at Stripe on the existing subscription (never a second one). The stored state
 * follows through the webhook (`customer.subscription.updated`, `subscription_schedule.*`), like every other change.
 * - an upgrade: the subscription's item gets the new price and seats at once, prorated (`create_prorations`),
 *   and a pending downgrade is dropped first;
 * - a downgrade: a subscription schedule whose next phase, from the period end, bills the new price;
 * - undo_pending_change: the schedule is released (the subscription goes on as it is);
 * - cancel_at_period_end / resume: `cancel_at_period_end` true / false (resume also clears a `cancel_at` date).
 */
export async function applySubscriptionChange(stripe: Stripe, { subscription, change, target }: PreparedSubscriptionChange): Promise<void> {
  const id = subscription.stripeSubscriptionId;
  if (change.kind === 'cancel_at_period_end') {
    await stripe.subscriptions.update(id, { cancel_at_period_end: true });
    return;
  }
  if (change.kind === 'resume') {
    await stripe.subscriptions.update(
      id,
      subscription.cancelAt && !subscription.cancelAtPeriodEnd ? { cancel_at: null } : { cancel_at_period_end: false },
    );
    return;
  }
  if (change.kind === 'undo_pending_change' || (target?.direction === 'upgrade' && subscription.stripeScheduleId)) {
    if (subscription.stripeScheduleId) await stripe.subscriptionSchedules.release(subscription.stripeScheduleId);
    if (change.kind === 'undo_pending_change') return;
  }
  if (!target) throw new BillingError('Unknown subscription change.', 400);
  const priceId = await resolveCatalogPriceId(stripe, target.price);
  if (!priceId) throw new MissingCatalogPriceError(target.price.lookupKey);
  // The item to re-price: the row stores the price, not the item id.
  const parsed = subscriptionItems.safeParse(await stripe.subscriptions.retrieve(id));
  if (!parsed.success) throw new BillingError('Stripe returned a subscription without items.', 502);
  const [item] = parsed.data.items.data;
  if (!item || parsed.data.items.data.length !== 1)
    throw new BillingError('This subscription has several items: change it in the billing portal.', 409);
  if (item.price.id === priceId && (item.quantity ?? 1) === target.seats) return;

  if (target.direction === 'upgrade') {
    await stripe.subscriptions.update(id, {
      items: [{ id: item.id, price: priceId, quantity: target.seats }],
      proration_behavior: 'create_prorations',
    });
    return;
  }
  const schedule = scheduleFields.parse(
    subscription.stripeScheduleId
      ? await stripe.subscriptionSchedules.retrieve(subscription.stripeScheduleId)
      : await stripe.subscriptionSchedules.create({ from_subscription: id }),
  );
  const [currentPhase] = schedule.phases;
  if (!currentPhase) throw new BillingError('Stripe returned a schedule without phases.', 502);
  await stripe.subscriptionSchedules.update(schedule.id, {
    end_behavior: 'release',
    phases: [
      {
        start_date: currentPhase.start_date,
        end_date: currentPhase.end_date ?? undefined,
        items: currentPhase.items.map((phaseItem) => ({ price: phaseItem.price, quantity: phaseItem.quantity ?? 1 })),
      },
      { items: [{ price: priceId, quantity: target.seats }], metadata: { lookup_key: target.price.lookupKey }, proration_behavior: 'none' },
    ],
  });
}

/**
 * What a change costs, as the pricing page states it. An upgrade is prorated today: a new billing
 * interval restarts the period and invoices at once, a higher plan or more seats on the same
 * interval are charged for the rest of the period (while a trial runs, nothing is charged). A
 * downgrade changes nothing until the period end.
 */
export function prorationStatement({
  target,
  current,
  status,
  trialEnd,
  periodEnd,
}: {
  target: CatalogPosition;
  current: CatalogPosition | undefined;
  status: string;
  trialEnd: Date | null;
  periodEnd?: Date | null;
}): string {
  const label = describePosition(target);
  if (current && changeDirection(current, target) === 'downgrade') {
    return `Changes to ${label} on ${formatDate(periodEnd ?? trialEnd)}, at the end of the period you have paid for; nothing is charged or refunded today.`;
  }
  if (status === 'trialing') {
    return `Your free trial continues until ${formatDate(trialEnd)}: nothing is charged today, and ${label} is billed when the trial ends.`;
  }
  const total = target.price.unitAmountCents * target.seats;
  const unused = current ? `your current ${describePosition(current)} period` : 'your current period';
  if (current && current.price.billingPeriod === target.price.billingPeriod) {
    return (
      `You'll be charged today the prorated difference to ${label} (${formatUsd(total)} a ${target.price.billingPeriod === 'annual' ? 'year' : 'month'}) for the rest of ${unused}. ` +
      'Your renewal date stays the same.'
    );
  }
  return (
    `You'll be charged ${formatUsd(total)} today for a new ${target.price.billingPeriod === 'annual' ? 'year' : 'month'} of ${label}, ` +
    `minus a prorated credit for the unused time of ${unused}. Any credit left over stays on your account and pays your next invoices.`
  );
}

/** Where a change lands: the dashboard, told what was asked so it can say whether Stripe confirmed it yet. */
export function dashboardUrlAfterChange(baseUrl: string, change: SubscriptionChange): string {
  const query = new URLSearchParams({
    changed: change.kind,
    ...(change.kind === 'switch_price' ? { price: change.lookupKey, ...(change.seats ? { seats: String(change.seats) } : {}) } : {}),
  });
  return `${baseUrl}/dashboard?${query}`;
}
