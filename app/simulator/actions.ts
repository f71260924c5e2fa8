'use server';

import { randomBytes } from 'node:crypto';
import { after } from 'next/server';
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { getCurrentSubscription } from '@/lib/billing/get-features';
import { deliverCancellation, deliverCheckoutEvents } from '@/lib/dev/simulate-checkout';
import { stripeSimulatorEnabled } from '@/lib/env';
import { baseUrlFrom } from '@/lib/http/base-url';

async function simulatorUser() {
  if (!stripeSimulatorEnabled()) notFound();
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in?next=/pricing');
  return user;
}

/** "Pay": like Stripe, the events reach the webhook after the redirect, in no particular order. */
export async function simulatePaymentAction(form: FormData): Promise<void> {
  const user = await simulatorUser();
  const priceId = String(form.get('priceId') ?? '');
  const baseUrl = baseUrlFrom(await headers());
  after(() => deliverCheckoutEvents({ user, priceId, baseUrl }));
  redirect(`/checkout/success?session_id=cs_test_sim_${randomBytes(12).toString('hex')}`);
}

/** "Cancel subscription": Stripe sends customer.subscription.deleted, then the portal returns. */
export async function simulateCancellationAction(): Promise<void> {
  const user = await simulatorUser();
  const subscription = await getCurrentSubscription(user.id);
  if (subscription?.isActive && subscription.stripeCustomerId) {
    const ids = { userId: user.id, customerId: subscription.stripeCustomerId, subscriptionId: subscription.stripeSubscriptionId };
    const status = await deliverCancellation({ ids, baseUrl: baseUrlFrom(await headers()) });
    if (status !== 200) redirect(`/dashboard?error=${encodeURIComponent('The cancellation was not confirmed yet; try again.')}`);
  }
  redirect('/dashboard');
}
