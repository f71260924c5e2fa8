import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { formatDate } from '@/lib/format';
import { getCurrentSubscription } from '@/lib/billing/get-features';
import { stripeSimulatorEnabled } from '@/lib/env';
import { simulateCancellationAction } from '../actions';
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
          <section className="card">
            <h2>Acme Analytics Pro — {subscription.billingPeriod === 'annual' ? 'Annual' : 'Monthly'}</h2>
            <p>Renews on {formatDate(subscription.currentPeriodEnd)}.</p>
            <form action={simulateCancellationAction}>
              <button type="submit" className="button danger">Cancel subscription</button>{' '}
              <Link href="/dashboard">Return to Acme</Link>
            </form>
          </section>
        ) : (
          <p className="empty">No active subscription. <Link href="/pricing">See plans</Link></p>
        )}
      </main>
    </>
  );
}
