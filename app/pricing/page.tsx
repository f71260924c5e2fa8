import type { Metadata } from 'next';
import { getCurrentUser } from '@/lib/auth/current-user';
import { formatUsd } from '@/lib/format';
import { prorationStatement } from '@/lib/billing/change-subscription';
import { findLiveSubscription } from '@/lib/billing/find-live-subscription';
import { findPrice, PLAN_FEATURES, PRICES, priceLabel } from '@/lib/billing/plans';

export const metadata: Metadata = { title: 'Pricing' };
export const dynamic = 'force-dynamic';

export default async function PricingPage({ searchParams }: { searchParams: Promise<{ error?: string; checkout?: string }> }) {
  const { error, checkout } = await searchParams;
  const user = await getCurrentUser();
  // A customer Stripe still bills (active, trialing, past_due) changes that subscription; checkout
  // would open a second one.
  const subscription = user ? await findLiveSubscription(user) : null;
  const currentPriceId = subscription?.stripePriceId ?? null;
  const onFree = Boolean(user) && !subscription;
  const monthly = PRICES.find((price) => price.billingPeriod === 'monthly');
  const annual = PRICES.find((price) => price.billingPeriod === 'annual');
  const saving = monthly && annual ? monthly.amountCents * 12 - annual.amountCents : 0;

  return (
    <main>
      <h1>Pricing</h1>
      <p className="lead">Start free. Pro unlocks everything, billed monthly or yearly.</p>
      {error ? <p role="alert" className="notice error">{error}</p> : null}
      {checkout === 'canceled' ? <p className="notice">Checkout canceled: you have not been charged.</p> : null}
      <div className="grid">
        <section className={`card${onFree ? ' current' : ''}`} aria-labelledby="plan-free">
          <h2 id="plan-free">Free {onFree ? <span className="badge">Current plan</span> : null}</h2>
          <p className="price">$0</p>
          <ul className="features">
            <li>{PLAN_FEATURES.free.projects} projects</li>
            <li>{PLAN_FEATURES.free.teamMembers} team member</li>
            <li className="off">Advanced analytics</li>
          </ul>
        </section>
        {[monthly, annual].map((price) => price && (
          <section key={price.id} className={`card${currentPriceId === price.id ? ' current' : ''}`} aria-labelledby={`plan-${price.billingPeriod}`}>
            <h2 id={`plan-${price.billingPeriod}`}>
              {priceLabel(price)}{' '}
              {currentPriceId === price.id ? <span className="badge">Current plan</span> : null}
              {price.billingPeriod === 'annual' && saving > 0 ? <span className="badge ok">Save {formatUsd(saving)} a year</span> : null}
            </h2>
            <p className="price">
              {formatUsd(price.amountCents)} <small>/ {price.billingPeriod === 'annual' ? 'year' : 'month'}</small>
            </p>
            {price.billingPeriod === 'annual' ? <p className="lead">{formatUsd(Math.round(price.amountCents / 12))} a month, billed yearly</p> : null}
            <ul className="features">
              <li>{PLAN_FEATURES.pro.projects} projects</li>
              <li>{PLAN_FEATURES.pro.teamMembers} team members</li>
              <li>Advanced analytics</li>
              <li>Priority support</li>
            </ul>
            {currentPriceId === price.id ? null : subscription ? (
              subscription.status === 'past_due' ? (
                <form action="/api/billing/portal" method="post">
                  <p className="notice warn">Your last payment failed: update your card before switching plans.</p>
                  <button type="submit" className="button secondary">Update your card</button>
                </form>
              ) : (
                <form action="/api/billing/subscription" method="post">
                  <input type="hidden" name="change" value="switch_price" />
                  <input type="hidden" name="priceId" value={price.id} />
                  <p data-testid={`proration-${price.billingPeriod}`}>
                    {prorationStatement({ target: price, current: findPrice(currentPriceId), status: subscription.status, trialEnd: subscription.currentPeriodEnd })}
                  </p>
                  <button type="submit" className="button">Switch to {priceLabel(price)}</button>
                </form>
              )
            ) : (
              <form action="/api/checkout" method="post">
                <input type="hidden" name="priceId" value={price.id} />
                <button type="submit" className="button">
                  {user ? `Choose ${priceLabel(price)}` : 'Sign in to subscribe'}
                </button>
              </form>
            )}
          </section>
        ))}
      </div>
    </main>
  );
}
