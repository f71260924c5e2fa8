import type { Metadata } from 'next';
import { getCurrentUser } from '@/lib/auth/current-user';
import { formatUsd } from '@/lib/format';
import { changeDirection, positionOf, prorationStatement } from '@/lib/billing/change-subscription';
import { CATALOG_PRICES, type CatalogPrice, clampSeats, freeTrialDays, PLAN_IDS, PLANS, priceLabel } from '@/lib/billing/catalog';
import { findLiveSubscription } from '@/lib/billing/find-live-subscription';
import { planFeatures } from '@/lib/billing/plans';

export const metadata: Metadata = { title: 'Pricing' };
export const dynamic = 'force-dynamic';

/** What a plan's price card lists: its limits and flags, from the catalog. */
function FeatureList({ price }: { price: CatalogPrice | null }) {
  const features = planFeatures(price?.plan ?? 'free', price?.seats?.min ?? null);
  return (
    <ul className="features">
      <li>{features.projects} projects</li>
      <li>
        {price?.seats
          ? `1 team member per seat (${price.seats.min}–${price.seats.max} seats)`
          : `${features.teamMembers} team ${features.teamMembers === 1 ? 'member' : 'members'}`}
      </li>
      <li className={features.advancedAnalytics ? '' : 'off'}>Advanced analytics</li>
      <li className={features.prioritySupport ? '' : 'off'}>Priority support</li>
    </ul>
  );
}

/** The yearly saving of a plan's annual price over twelve monthly ones (per seat), or 0. */
function annualSaving(price: CatalogPrice): number {
  const monthly = CATALOG_PRICES.find((candidate) => candidate.plan === price.plan && candidate.billingPeriod === 'monthly');
  return price.billingPeriod === 'annual' && monthly ? monthly.unitAmountCents * 12 - price.unitAmountCents : 0;
}

export default async function PricingPage({ searchParams }: { searchParams: Promise<{ error?: string; checkout?: string }> }) {
  const { error, checkout } = await searchParams;
  const user = await getCurrentUser();
  // A customer Stripe still bills (active, trialing, past_due) changes that subscription; checkout
  // would open a second one.
  const subscription = user ? await findLiveSubscription(user) : null;
  const current = subscription ? positionOf(subscription) : undefined;
  const onFree = Boolean(user) && !subscription;

  return (
    <main>
      <h1>Pricing</h1>
      <p className="lead">
        Start free.{' '}
        {PLAN_IDS.filter((plan) => plan !== 'free')
          .map((plan) => PLANS[plan].name)
          .join(' and ')}{' '}
        unlock everything, billed monthly or yearly.
      </p>
      {error ? (
        <p role="alert" className="notice error">
          {error}
        </p>
      ) : null}
      {checkout === 'canceled' ? <p className="notice">Checkout canceled: you have not been charged.</p> : null}
      <div className="grid">
        <section className={`card${onFree ? ' current' : ''}`} aria-labelledby="plan-free">
          <h2 id="plan-free">
            {PLANS.free.name} {onFree ? <span className="badge">Current plan</span> : null}
          </h2>
          <p className="price">$0</p>
          <FeatureList price={null} />
        </section>
        {CATALOG_PRICES.map((price) => {
          const isCurrent = current?.price.lookupKey === price.lookupKey;
          const saving = annualSaving(price);
          const perSeat = price.seats ? ' per seat' : '';
          const seats = isCurrent && current ? current.seats : clampSeats(price, null);
          const direction = current ? changeDirection(current, { price, seats }) : 'upgrade';
          const trialDays = freeTrialDays(price.plan);
          return (
            <section key={price.lookupKey} className={`card${isCurrent ? ' current' : ''}`} aria-labelledby={`plan-${price.lookupKey}`}>
              <h2 id={`plan-${price.lookupKey}`}>
                {priceLabel(price)} {isCurrent ? <span className="badge">Current plan</span> : null}
                {saving > 0 ? (
                  <span className="badge ok">
                    Save {formatUsd(saving)} a year{perSeat}
                  </span>
                ) : null}
              </h2>
              <p className="price">
                {formatUsd(price.unitAmountCents)}{' '}
                <small>
                  / {price.billingPeriod === 'annual' ? 'year' : 'month'}
                  {perSeat}
                </small>
              </p>
              {price.billingPeriod === 'annual' ? (
                <p className="lead">
                  {formatUsd(Math.round(price.unitAmountCents / 12))} a month{perSeat}, billed yearly
                </p>
              ) : null}
              {trialDays && !subscription ? <p className="lead">{trialDays}-day free trial for new customers</p> : null}
              <FeatureList price={price} />
              {subscription?.status === 'past_due' && !isCurrent ? (
                <form action="/api/billing/portal" method="post">
                  <p className="notice warn">Your last payment failed: update your card before switching plans.</p>
                  <button type="submit" className="button secondary">
                    Update your card
                  </button>
                </form>
              ) : subscription && isCurrent && !price.seats ? null : subscription ? (
                <form action="/api/billing/subscription" method="post">
                  <input type="hidden" name="change" value="switch_price" />
                  <input type="hidden" name="lookupKey" value={price.lookupKey} />
                  {price.seats ? (
                    <label>
                      Seats{' '}
                      <input
                        type="number"
                        name="seats"
                        min={price.seats.min}
                        max={price.seats.max}
                        defaultValue={seats}
                        aria-label={`Seats for ${priceLabel(price)}`}
                      />
                    </label>
                  ) : null}
                  {!isCurrent ? (
                    <p data-testid={`proration-${price.lookupKey}`}>
                      {prorationStatement({
                        target: { price, seats },
                        current,
                        status: subscription.status,
                        trialEnd: subscription.trialEnd ?? subscription.currentPeriodEnd,
                        periodEnd: subscription.currentPeriodEnd,
                      })}
                    </p>
                  ) : null}
                  <button type="submit" className="button">
                    {isCurrent ? 'Change seats' : `${direction === 'downgrade' ? 'Schedule' : 'Switch to'} ${priceLabel(price)}`}
                  </button>
                </form>
              ) : (
                <form action="/api/checkout" method="post">
                  <input type="hidden" name="lookupKey" value={price.lookupKey} />
                  {price.seats && user ? (
                    <label>
                      Seats{' '}
                      <input
                        type="number"
                        name="seats"
                        min={price.seats.min}
                        max={price.seats.max}
                        defaultValue={price.seats.min}
                        aria-label={`Seats for ${priceLabel(price)}`}
                      />
                    </label>
                  ) : null}
                  <button type="submit" className="button">
                    {user ? `Choose ${priceLabel(price)}` : 'Sign in to subscribe'}
                  </button>
                </form>
              )}
            </section>
          );
        })}
      </div>
    </main>
  );
}
