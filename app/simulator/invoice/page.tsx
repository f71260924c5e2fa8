import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { stripeSimulatorEnabled } from '@/lib/env';
import { simulateConfirmPaymentAction } from '../actions';
import { SimulatorBanner } from '../simulator-banner';

export const metadata: Metadata = { title: 'Invoice (test-mode simulator)' };
export const dynamic = 'force-dynamic';

/** Stands in for Stripe's hosted invoice page, where the customer confirms a payment their bank holds. */
export default async function SimulatorInvoicePage({ searchParams }: { searchParams: Promise<{ invoice?: string }> }) {
  if (!stripeSimulatorEnabled()) notFound();
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in?next=/dashboard');
  const { invoice } = await searchParams;
  return (
    <>
      <SimulatorBanner />
      <main>
        <h1>Confirm your payment</h1>
        <form action={simulateConfirmPaymentAction} className="card">
          <input type="hidden" name="invoice" value={invoice ?? ''} />
          <p>Your bank asks you to confirm this payment (3-D Secure).</p>
          <button type="submit" className="button">
            Confirm payment
          </button>{' '}
          <Link href="/dashboard">Not now</Link>
        </form>
      </main>
    </>
  );
}
