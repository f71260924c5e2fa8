import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { formatDate } from '@/lib/format';
import { getCurrentSubscription, getFeatures } from '@/lib/billing/get-features';
import { findPrice, pastDueGraceEndsAt, priceLabel } from '@/lib/billing/plans';
import type { SubscriptionStatus } from '@/lib/billing/subscriptions/subscription-statuses';

export const metadata: Metadata = { title: 'Dashboard' };
export const dynamic = 'force-dynamic';

const STATUS_BADGE: Record<string, string> = { active: 'ok', trialing: 'ok', past_due: 'warn', canceled: 'bad', unpaid: 'bad', incomplete_expired: 'bad' } satisfies Partial<Record<SubscriptionStatus, string>>;

type Subscription = NonNullable<Awaited<ReturnType<typeof getCurrentSubscription>>>;
type SearchParams = { error?: string; changed?: string; price?: string };

/** After a change, whether the stored subscription (what the webhook applied) shows it yet. */
function changeNotice(subscription: Subscription | null, { changed, price: priceId }: SearchParams): string | null {
  if (!subscription || !changed) return null;
  if (changed === 'switch_price') {
    const price = findPrice(priceId);
    if (!price) return null;
    return subscription.stripePriceId === price.id
      ? `You're now on ${priceLabel(price)}.`
      : `Switching to ${priceLabel(price)}: waiting for Stripe's confirmation. Refresh in a moment.`;
  }
  if (changed === 'cancel_at_period_end') {
    return subscription.cancelAtPeriodEnd ? null : "Cancellation requested: waiting for Stripe's confirmation. Refresh in a moment.";
  }
  if (changed === 'resume') {
    return subscription.cancelAtPeriodEnd ? "Resuming: waiting for Stripe's confirmation. Refresh in a moment." : 'Your subscription continues: it renews as usual.';
  }
  return null;
}

export default async function DashboardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in?next=/dashboard');
  const params = await searchParams;
  const [subscription, features] = await Promise.all([getCurrentSubscription(user.id), getFeatures(user.id)]);
  const isPro = features.plan === 'pro';
  const live = subscription?.isActive ? subscription : null;
  const notice = changeNotice(subscription, params);
  const graceEnd = pastDueGraceEndsAt(live);
  const dateLabel = live?.status === 'trialing' ? 'Trial ends on' : live?.cancelAtPeriodEnd ? 'Cancels on' : 'Renews on';

  return (
    <main>
      <h1>Dashboard</h1>
      {params.error ? <p role="alert" className="notice error">{params.error}</p> : null}
      {notice ? <p role="status" className="notice" data-testid="change-notice">{notice}</p> : null}
      {live?.status === 'past_due' ? (
        <form action="/api/billing/portal" method="post" className="notice warn" data-testid="past-due-banner">
          Your last payment failed. Stripe is retrying your card;{' '}
          {isPro ? (graceEnd ? `Pro stays on until ${formatDate(graceEnd)}. ` : 'Pro stays on while it retries. ') : 'Pro is paused until it is paid. '}
          <button type="submit" className="button secondary">Update your card</button>
        </form>
      ) : null}
      <div className="grid">
        <section className="card" aria-labelledby="plan-heading">
          <h2 id="plan-heading">Your plan</h2>
          <p className="price" data-testid="plan-name">{isPro ? 'Pro' : 'Free'}</p>
          <dl className="facts">
            <dt>Billing period</dt>
            <dd data-testid="billing-period">{isPro && subscription?.billingPeriod ? (subscription.billingPeriod === 'annual' ? 'Annual' : 'Monthly') : '—'}</dd>
            <dt>Status</dt>
            <dd data-testid="subscription-status">
              {subscription ? <span className={`badge ${STATUS_BADGE[subscription.status] ?? ''}`}>{subscription.status}</span> : 'No subscription'}
            </dd>
            <dt data-testid="renewal-label">{dateLabel}</dt>
            <dd data-testid="renewal-date">{isPro ? formatDate(subscription?.currentPeriodEnd) : '—'}</dd>
          </dl>
          {live?.status === 'trialing' ? (
            <p data-testid="subscription-note">Trial ends on {formatDate(live.currentPeriodEnd)}{live.cancelAtPeriodEnd ? ', and the subscription cancels then.' : ': the first payment is taken then.'}</p>
          ) : live?.cancelAtPeriodEnd ? (
            <p data-testid="subscription-note">Cancels on {formatDate(live.currentPeriodEnd)}. Pro stays on until then.</p>
          ) : null}
          <div>
            {live ? (
              <>
                <form action="/api/billing/subscription" method="post" style={{ display: 'inline' }}>
                  {live.cancelAtPeriodEnd ? (
                    <button type="submit" name="change" value="resume" className="button">Resume</button>
                  ) : (
                    <button type="submit" name="change" value="cancel_at_period_end" className="button secondary">Cancel at period end</button>
                  )}
                </form>{' '}
                <Link href="/pricing" className="button secondary">Change plan</Link>{' '}
              </>
            ) : null}
            {isPro || user.stripeCustomerId ? (
              <form action="/api/billing/portal" method="post" style={{ display: 'inline' }}>
                <button type="submit" className="button secondary">Manage billing</button>
              </form>
            ) : (
              <Link href="/pricing" className="button">Upgrade to Pro</Link>
            )}
          </div>
        </section>
        <section className="card" aria-labelledby="features-heading">
          <h2 id="features-heading">Features</h2>
          <ul className="features" data-testid="features">
            <li>{features.projects} projects</li>
            <li>{features.teamMembers} team {features.teamMembers === 1 ? 'member' : 'members'}</li>
            <li className={features.advancedAnalytics ? '' : 'off'}>Advanced analytics</li>
            <li className={features.prioritySupport ? '' : 'off'}>Priority support</li>
          </ul>
          <p><Link href="/dashboard/analytics">Open advanced analytics →</Link></p>
        </section>
      </div>
    </main>
  );
}
