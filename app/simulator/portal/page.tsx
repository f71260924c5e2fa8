import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { formatDate } from '@/lib/format';
import { getCurrentSubscription } from '@/lib/billing/get-features';
import { stripeSimulatorEnabled } from '@/lib/env';
import { PLANS, findPlan } from '@/lib/billing/catalog';
import {
  simulateAdvanceClockAction,
  simulateCancellationAction,
  simulatePaymentActionRequiredAction,
  simulateRenewalAction,
} from '../actions';
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
              <h2>
                Acme Analytics {findPlan(subscription.plan)?.name ?? PLANS.free.name} —{' '}
                {subscription.billingPeriod === 'annual' ? 'Annual' : 'Monthly'}
                {subscription.quantity && findPlan(subscription.plan)?.seats ? `, ${subscription.quantity} seats` : ''}
              </h2>
              <p>
                {subscription.status === 'trialing'
                  ? 'Trial ends on'
                  : subscription.cancelAtPeriodEnd || subscription.cancelAt
                    ? 'Cancels on'
                    : 'Renews on'}{' '}
                {formatDate(
                  subscription.status === 'trialing'
                    ? (subscription.trialEnd ?? subscription.currentPeriodEnd)
                    : (subscription.cancelAt ?? subscription.currentPeriodEnd),
                )}
                .
              </p>
              {subscription.status === 'past_due' ? (
                <form action={simulateRenewalAction}>
                  <p className="notice warn">
                    The last renewal was declined. Card: <span className="mono">4000 0000 0000 0341 (declines)</span>
                  </p>
                  <input type="hidden" name="renewal" value="payment_recovered" />
                  <button type="submit" className="button">
                    Update card and pay
                  </button>
                </form>
              ) : null}
              <form action={simulateCancellationAction}>
                <button type="submit" className="button danger">
                  Cancel subscription
                </button>{' '}
                <Link href="/dashboard">Return to Acme</Link>
              </form>
            </section>
            {subscription.status === 'past_due' ? null : (
              <section className="card">
                <h2>Test-mode events</h2>
                <p>What Stripe does on its own side, sent to the app as signed webhook events.</p>
                <form action={simulateRenewalAction}>
                  <input type="hidden" name="renewal" value="renewal_failed" />
                  <button type="submit" className="button secondary">
                    Decline the next renewal
                  </button>
                </form>
                <form action={simulatePaymentActionRequiredAction}>
                  <button type="submit" className="button secondary">
                    Ask to confirm the next payment (3-D Secure)
                  </button>
                </form>
                <form action={simulateAdvanceClockAction}>
                  <button type="submit" className="button secondary">
                    Advance the clock to the period end
                  </button>
                </form>
              </section>
            )}
          </>
        ) : (
          <p className="empty">
            No active subscription. <Link href="/pricing">See plans</Link>
          </p>
        )}
      </main>
    </>
  );
}
