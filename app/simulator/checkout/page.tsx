import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { formatUsd } from '@/lib/format';
import { findLiveSubscription } from '@/lib/billing/find-live-subscription';
import { clampSeats, findCatalogPrice, PLANS, priceLabel } from '@/lib/billing/catalog';
import { trialDaysFor } from '@/lib/billing/create-checkout-session';
import { stripeSimulatorEnabled } from '@/lib/env';
import { simulatePaymentAction } from '../actions';
import { SimulatorBanner } from '../simulator-banner';

export const metadata: Metadata = { title: 'Checkout (test-mode simulator)' };
export const dynamic = 'force-dynamic';

export default async function SimulatorCheckoutPage({ searchParams }: { searchParams: Promise<{ price?: string; seats?: string }> }) {
  if (!stripeSimulatorEnabled()) notFound();
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in?next=/pricing');
  const { price: lookupKey, seats: seatsParam } = await searchParams;
  const price = findCatalogPrice(lookupKey);
  const seats = price ? clampSeats(price, Number(seatsParam) || null) : 1;
  const total = price ? price.unitAmountCents * seats : 0;
  const subscribed = Boolean(await findLiveSubscription(user));
  const trialDays = price ? await trialDaysFor(user, price.plan) : null;

  return (
    <>
      <SimulatorBanner />
      <main>
        <h1>Checkout</h1>
        {subscribed ? (
          <p className="notice error" role="alert">
            You already have a subscription: Stripe Checkout would open a second one. <Link href="/pricing">Switch plans instead</Link>
          </p>
        ) : price ? (
          <form action={simulatePaymentAction} className="card">
            <input type="hidden" name="lookupKey" value={price.lookupKey} />
            <input type="hidden" name="seats" value={seats} />
            <h2>
              Acme Analytics {PLANS[price.plan].name} — {price.billingPeriod === 'annual' ? 'Annual' : 'Monthly'}
            </h2>
            <p className="price">
              {formatUsd(total)} <small>/ {price.billingPeriod === 'annual' ? 'year' : 'month'}</small>
            </p>
            <dl className="facts">
              <dt>Plan</dt>
              <dd>{priceLabel(price)}</dd>
              {price.seats ? (
                <>
                  <dt>Seats</dt>
                  <dd data-testid="checkout-seats">
                    {seats} × {formatUsd(price.unitAmountCents)}
                  </dd>
                </>
              ) : null}
              <dt>Email</dt>
              <dd>{user.email}</dd>
              <dt>Card</dt>
              <dd className="mono">4242 4242 4242 4242 (simulated)</dd>
            </dl>
            <p>
              <button type="submit" className="button">
                Pay {formatUsd(total)}
              </button>{' '}
              {trialDays ? (
                <>
                  <button type="submit" name="trial" value="yes" className="button secondary">
                    Start {trialDays}-day free trial
                  </button>{' '}
                </>
              ) : null}
              <Link href="/pricing?checkout=canceled">Cancel</Link>
            </p>
          </form>
        ) : (
          <p className="notice error" role="alert">
            Unknown price. <Link href="/pricing">Back to pricing</Link>
          </p>
        )}
      </main>
    </>
  );
}
