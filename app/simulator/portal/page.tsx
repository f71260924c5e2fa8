import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { formatDate } from '@/lib/format';
import { getCurrentSubscription } from '@/lib/billing/get-features';
import { stripeSimulatorEnabled } from '@/lib/env';
import { simulateCancellationAction, simulateRenewalAction } from '../actions';
import { SimulatorBanner } from '../simulator-banner';

export const metadata: Metadata = { title: 'Billing portal (test-mode simulator)' };
export const dynamic = 'force-dynamic';

export default async function SimulatorPortalPage() {
  if (!stripeSimulatorEnabled()) notFound();
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in?next=/dashboard');
  const subscription = await getCurrentSubscription(user.id);

  return (
    <>
      <SimulatorBanner />
      <main>
        <h1>Billing portal</h1>
        {subscription?.isActive ? (
          <>
            <section className="card">
              <h2>Acme Analytics Pro — {subscription.billingPeriod === 'annual' ? 'Annual' : 'Monthly'}</h2>
              <p>
                {subscription.status === 'trialing' ? 'Trial ends on' : subscription.cancelAtPeriodEnd ? 'Cancels on' : 'Renews on'}{' '}
                {formatDate(subscription.currentPeriodEnd)}.
              </p>
              {subscription.status === 'past_due' ? (
                <form action={simulateRenewalAction}>
                  <p className="notice warn">The last renewal was declined. Card: <span className="mono">4000 0000 0000 0341 (declines)</span></p>
                  <input type="hidden" name="renewal" value="payment_recovered" />
                  <button type="submit" className="button">Update card and pay</button>
                </form>
              ) : null}
              <form action={simulateCancellationAction}>
                <button type="submit" className="button danger">Cancel subscription</button>{' '}
                <Link href="/dashboard">Return to Acme</Link>
              </form>
            </section>
            {subscription.status === 'past_due' ? null : (
              <section className="card">
                <h2>Test-mode events</h2>
                <p>What Stripe does on its own side, sent to the app as signed webhook events.</p>
                <form action={simulateRenewalAction}>
                  <input type="hidden" name="renewal" value="renewal_failed" />
                  <button type="submit" className="button secondary">Decline the next renewal</button>
                </form>
              </section>
            )}
          </>
        ) : (
          <p className="empty">No active subscription. <Link href="/pricing">See plans</Link></p>
        )}
      </main>
    </>
  );
}
