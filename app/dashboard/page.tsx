import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { formatDate } from '@/lib/format';
import { getCurrentSubscription, getFeatures } from '@/lib/billing/get-features';
import { describePosition, positionOf } from '@/lib/billing/change-subscription';
import { catalogPriceOf, findCatalogPrice, PLANS, priceLabel } from '@/lib/billing/catalog';
import { pastDueGraceEndsAt } from '@/lib/billing/plans';
import type { SubscriptionStatus } from '@/lib/billing/subscriptions/subscription-statuses';

export const metadata: Metadata = { title: 'Dashboard' };
export const dynamic = 'force-dynamic';

const STATUS_BADGE: Record<string, string> = {
  active: 'ok',
  trialing: 'ok',
  past_due: 'warn',
  canceled: 'bad',
  unpaid: 'bad',
  incomplete_expired: 'bad',
} satisfies Partial<Record<SubscriptionStatus, string>>;

type Subscription = NonNullable<Awaited<ReturnType<typeof getCurrentSubscription>>>;
type SearchParams = { error?: string; changed?: string; price?: string; seats?: string };

/** After a change, whether the stored subscription (what the webhook applied) shows it yet. */
function changeNotice(subscription: Subscription | null, { changed, price: priceId, seats: seatsParam }: SearchParams): string | null {
  if (!subscription || !changed) return null;
  if (changed === 'switch_price') {
    const price = findCatalogPrice(priceId);
    if (!price) return null;
    const current = positionOf(subscription);
    const seats = Number(seatsParam) || null;
    if (current?.price.lookupKey === price.lookupKey && (!price.seats || !seats || current.seats === seats))
      return `You're now on ${describePosition(current)}.`;
    if (subscription.pendingPlan === price.plan && subscription.pendingBillingPeriod === price.billingPeriod) return null;
    return `Switching to ${priceLabel(price)}: waiting for Stripe's confirmation. Refresh in a moment.`;
  }
  if (changed === 'undo_pending_change') {
    return subscription.stripeScheduleId
      ? "Undoing the scheduled change: waiting for Stripe's confirmation. Refresh in a moment."
      : 'The scheduled change is undone: your plan stays as it is.';
  }
  if (changed === 'cancel_at_period_end') {
    return subscription.cancelAtPeriodEnd || subscription.cancelAt
      ? null
      : "Cancellation requested: waiting for Stripe's confirmation. Refresh in a moment.";
  }
  if (changed === 'resume') {
    return subscription.cancelAtPeriodEnd || subscription.cancelAt
      ? "Resuming: waiting for Stripe's confirmation. Refresh in a moment."
      : 'Your subscription continues: it renews as usual.';
  }
  return null;
}

export default async function DashboardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in?next=/dashboard');
  const params = await searchParams;
  const [subscription, features] = await Promise.all([getCurrentSubscription(user.id), getFeatures(user.id)]);
  const isPaid = features.plan !== 'free';
  const planName = PLANS[features.plan].name;
  const live = subscription?.isActive ? subscription : null;
  const notice = changeNotice(subscription, params);
  const graceEnd = pastDueGraceEndsAt(live);
  // A `cancel_at` date (flexible billing, the portal) ends the subscription just like cancel_at_period_end.
  const cancelsOn = live?.cancelAtPeriodEnd ? (live.cancelAt ?? live.currentPeriodEnd) : (live?.cancelAt ?? null);
  const trialEnd = live?.status === 'trialing' ? (live.trialEnd ?? live.currentPeriodEnd) : null;
  const dateLabel = trialEnd ? 'Trial ends on' : cancelsOn ? 'Cancels on' : 'Renews on';
  const shownDate = trialEnd ?? cancelsOn ?? subscription?.currentPeriodEnd;
  const pendingPrice = live?.stripeScheduleId ? catalogPriceOf(live.pendingPlan, live.pendingBillingPeriod) : undefined;
  const pendingLabel = pendingPrice
    ? describePosition({ price: pendingPrice, seats: live?.pendingQuantity ?? 1 })
    : live?.pendingPlan === 'unknown'
      ? 'a price outside this app'
      : null;

  return (
    <main>
      <h1>Dashboard</h1>
      {params.error ? (
        <p role="alert" className="notice error">
          {params.error}
        </p>
      ) : null}
      {notice ? (
        <p role="status" className="notice" data-testid="change-notice">
          {notice}
        </p>
      ) : null}
      {live?.paymentActionUrl ? (
        <p role="alert" className="notice warn" data-testid="payment-action-banner">
          Your bank asks you to confirm your last payment.{' '}
          <a href={live.paymentActionUrl} className="button secondary" rel="noopener noreferrer">
            Confirm your payment
          </a>
        </p>
      ) : null}
      {live && live.plan === 'unknown' ? (
        <p role="alert" className="notice warn" data-testid="unknown-price">
          Your subscription bills a price this app does not sell, so it unlocks nothing here. Contact support to move it to a plan.
        </p>
      ) : null}
      {live?.status === 'past_due' ? (
        <form action="/api/billing/portal" method="post" className="notice warn" data-testid="past-due-banner">
          Your last payment failed. Stripe is retrying your card;{' '}
          {isPaid
            ? graceEnd
              ? `${planName} stays on until ${formatDate(graceEnd)}. `
              : `${planName} stays on while it retries. `
            : 'Your plan is paused until it is paid. '}
          <button type="submit" className="button secondary">
            Update your card
          </button>
        </form>
      ) : null}
      <div className="grid">
        <section className="card" aria-labelledby="plan-heading">
          <h2 id="plan-heading">Your plan</h2>
          <p className="price" data-testid="plan-name">
            {planName}
          </p>
          <dl className="facts">
            <dt>Billing period</dt>
            <dd data-testid="billing-period">
              {isPaid && subscription?.billingPeriod ? (subscription.billingPeriod === 'annual' ? 'Annual' : 'Monthly') : '—'}
            </dd>
            {isPaid && live?.quantity && catalogPriceOf(live.plan, live.billingPeriod)?.seats ? (
              <>
                <dt>Seats</dt>
                <dd data-testid="seats">{live.quantity} seats</dd>
              </>
            ) : null}
            <dt>Status</dt>
            <dd data-testid="subscription-status">
              {subscription ? (
                <span className={`badge ${STATUS_BADGE[subscription.status] ?? ''}`}>{subscription.status}</span>
              ) : (
                'No subscription'
              )}
            </dd>
            <dt data-testid="renewal-label">{dateLabel}</dt>
            <dd data-testid="renewal-date">{isPaid ? formatDate(shownDate) : '—'}</dd>
          </dl>
          {trialEnd ? (
            <p data-testid="subscription-note">
              Trial ends on {formatDate(trialEnd)}
              {cancelsOn ? ', and the subscription cancels then.' : ': the first payment is taken then.'}
            </p>
          ) : cancelsOn ? (
            <p data-testid="subscription-note">
              Cancels on {formatDate(cancelsOn)}. {planName} stays on until then.
            </p>
          ) : null}
          {live && pendingLabel ? (
            <form action="/api/billing/subscription" method="post" className="notice" data-testid="pending-change">
              Changes to {pendingLabel} on {formatDate(live.pendingChangeAt)}.{' '}
              <button type="submit" name="change" value="undo_pending_change" className="button secondary">
                Undo
              </button>
            </form>
          ) : null}
          <div>
            {live ? (
              <>
                <form action="/api/billing/subscription" method="post" style={{ display: 'inline' }}>
                  {cancelsOn ? (
                    <button type="submit" name="change" value="resume" className="button">
                      Resume
                    </button>
                  ) : (
                    <button type="submit" name="change" value="cancel_at_period_end" className="button secondary">
                      Cancel at period end
                    </button>
                  )}
                </form>{' '}
                <Link href="/pricing" className="button secondary">
                  Change plan
                </Link>{' '}
              </>
            ) : null}
            {isPaid || user.stripeCustomerId ? (
              <form action="/api/billing/portal" method="post" style={{ display: 'inline' }}>
                <button type="submit" className="button secondary">
                  Manage billing
                </button>
              </form>
            ) : (
              <Link href="/pricing" className="button">
                Upgrade
              </Link>
            )}
          </div>
        </section>
        <section className="card" aria-labelledby="features-heading">
          <h2 id="features-heading">Features</h2>
          <ul className="features" data-testid="features">
            <li>{features.projects} projects</li>
            <li>
              {features.teamMembers} team {features.teamMembers === 1 ? 'member' : 'members'}
            </li>
            <li className={features.advancedAnalytics ? '' : 'off'}>Advanced analytics</li>
            <li className={features.prioritySupport ? '' : 'off'}>Priority support</li>
          </ul>
          <p>
            <Link href="/dashboard/analytics">Open advanced analytics →</Link>
          </p>
        </section>
      </div>
    </main>
  );
}
