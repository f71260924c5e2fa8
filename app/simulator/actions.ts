'use server';

import { randomBytes } from 'node:crypto';
import { after } from 'next/server';
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { findCatalogPrice } from '@/lib/billing/catalog';
import { AlreadySubscribedError, parseCheckoutForm, trialDaysFor } from '@/lib/billing/create-checkout-session';
import { findLiveSubscription } from '@/lib/billing/find-live-subscription';
import { getCurrentSubscription } from '@/lib/billing/get-features';
import { deliverCancellation, deliverCheckoutEvents } from '@/lib/dev/simulate-checkout';
import {
  advanceClockEvents,
  deliverInOrder,
  paymentActionEvents,
  paymentConfirmedEvents,
  renewalEvents,
} from '@/lib/dev/simulate-subscription-change';
import { stripeSimulatorEnabled, webhookSecrets } from '@/lib/env';
import { baseUrlFrom } from '@/lib/http/base-url';
import { logger } from '@/lib/logger';

async function simulatorUser() {
  if (!stripeSimulatorEnabled()) notFound();
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in?next=/pricing');
  return user;
}

/**
 * "Pay" (or "Start free trial"): like Stripe, the events reach the webhook after the redirect, in no
 * particular order. A customer who already has a subscription is sent back, as checkout refuses them.
 */
export async function simulatePaymentAction(form: FormData): Promise<void> {
  const user = await simulatorUser();
  if (await findLiveSubscription(user)) redirect(`/pricing?error=${encodeURIComponent(new AlreadySubscribedError().message)}`);
  if (webhookSecrets().length === 0) {
    // Without a secret the events cannot be signed: say so instead of leaving activation spinning.
    logger.error('Simulator cannot deliver events: STRIPE_WEBHOOK_SECRET is not set');
    redirect(
      `/pricing?error=${encodeURIComponent('The payment simulator cannot deliver its events: STRIPE_WEBHOOK_SECRET is not set on this deployment.')}`,
    );
  }
  const { lookupKey, seats } = parseCheckoutForm(form);
  const price = findCatalogPrice(lookupKey);
  if (!price) redirect(`/pricing?error=${encodeURIComponent('Unknown price.')}`);
  // Checkout's `subscription_data.trial_period_days`: the plan's trial, for a user who never had a subscription.
  const trialDays = form.get('trial') === 'yes' ? ((await trialDaysFor(user, price.plan)) ?? undefined) : undefined;
  const baseUrl = baseUrlFrom(await headers());
  after(() => deliverCheckoutEvents({ user, lookupKey, seats, baseUrl, trialDays }));
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

/**
 * Test-mode controls for what happens at Stripe, not in the app: the renewal's card is declined
 * (`past_due`), or the card is updated and the open invoice paid (`active` again).
 */
export async function simulateRenewalAction(form: FormData): Promise<void> {
  const user = await simulatorUser();
  const renewal = form.get('renewal') === 'payment_recovered' ? 'payment_recovered' : 'renewal_failed';
  const subscription = await findLiveSubscription(user);
  if (!subscription) redirect('/simulator/portal');
  const accepted = await deliverInOrder(baseUrlFrom(await headers()), renewalEvents(subscription, renewal));
  if (!accepted) redirect(`/dashboard?error=${encodeURIComponent("Stripe's events were not accepted yet; try again.")}`);
  redirect('/dashboard');
}

/** Deliver Stripe's events in order, then back to the dashboard (or an error there if the app did not accept them). */
async function deliverThenDashboard(bodies: string[]): Promise<never> {
  const accepted = await deliverInOrder(baseUrlFrom(await headers()), bodies);
  if (!accepted) redirect(`/dashboard?error=${encodeURIComponent("Stripe's events were not accepted yet; try again.")}`);
  redirect('/dashboard');
}

/**
 * A test clock: Stripe's time moves to the end of the current period. A trial ends, a scheduled
 * change takes effect, a subscription set to cancel ends, or it renews.
 */
export async function simulateAdvanceClockAction(): Promise<void> {
  const user = await simulatorUser();
  const subscription = await findLiveSubscription(user);
  if (!subscription) redirect('/simulator/portal');
  await deliverThenDashboard(advanceClockEvents(subscription));
}

/** The bank asks the customer to confirm the next payment (3-D Secure): `invoice.payment_action_required`. */
export async function simulatePaymentActionRequiredAction(): Promise<void> {
  const user = await simulatorUser();
  const subscription = await findLiveSubscription(user);
  if (!subscription) redirect('/simulator/portal');
  const baseUrl = baseUrlFrom(await headers());
  await deliverThenDashboard(paymentActionEvents(subscription, (invoiceId) => `${baseUrl}/simulator/invoice?invoice=${invoiceId}`));
}

/** The customer confirms the payment on the hosted invoice page: the invoice is paid. */
export async function simulateConfirmPaymentAction(form: FormData): Promise<void> {
  const user = await simulatorUser();
  const subscription = await findLiveSubscription(user);
  const invoiceId = String(form.get('invoice') ?? '');
  if (!subscription || !/^in_[A-Za-z0-9]+$/.test(invoiceId)) redirect('/dashboard');
  await deliverThenDashboard(paymentConfirmedEvents(subscription, invoiceId));
}
