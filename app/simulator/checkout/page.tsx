import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { formatUsd } from '@/lib/format';
import { findLiveSubscription } from '@/lib/billing/find-live-subscription';
import { findPrice } from '@/lib/billing/plans';
import { stripeSimulatorEnabled } from '@/lib/env';
import { simulatePaymentAction } from '../actions';
import { SimulatorBanner } from '../simulator-banner';

export const metadata: Metadata = { title: 'Checkout (test-mode simulator)' };
export const dynamic = 'force-dynamic';

export default async function SimulatorCheckoutPage({ searchParams }: { searchParams: Promise<{ price?: string }> }) {
  if (!stripeSimulatorEnabled()) notFound();
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in?next=/pricing');
  const { price: priceId } = await searchParams;
  const price = findPrice(priceId);
  const subscribed = Boolean(await findLiveSubscription(user));

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
            <input type="hidden" name="priceId" value={price.id} />
            <h2>Acme Analytics Pro — {price.billingPeriod === 'annual' ? 'Annual' : 'Monthly'}</h2>
            <p className="price">{formatUsd(price.amountCents)} <small>/ {price.billingPeriod === 'annual' ? 'year' : 'month'}</small></p>
            <dl className="facts">
              <dt>Email</dt><dd>{user.email}</dd>
              <dt>Card</dt><dd className="mono">4242 4242 4242 4242 (simulated)</dd>
            </dl>
            <p>
              <button type="submit" className="button">Pay {formatUsd(price.amountCents)}</button>{' '}
              <button type="submit" name="trial" value="yes" className="button secondary">Start 14-day free trial</button>{' '}
              <Link href="/pricing?checkout=canceled">Cancel</Link>
            </p>
          </form>
        ) : (
          <p className="notice error" role="alert">Unknown price. <Link href="/pricing">Back to pricing</Link></p>
        )}
      </main>
    </>
  );
}
