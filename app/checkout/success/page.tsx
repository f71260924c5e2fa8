import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { ActivationStatus } from './activation-status';

export const metadata: Metadata = { title: 'Activating' };
export const dynamic = 'force-dynamic';

export default async function CheckoutSuccessPage() {
  if (!(await getCurrentUser())) redirect('/sign-in?next=/checkout/success');
  return (
    <main>
      <h1>Thank you!</h1>
      <p className="lead">Payment received. We switch your plan the moment Stripe confirms it.</p>
      <ActivationStatus />
    </main>
  );
}
