import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { formatDate } from '@/lib/format';
import { getCurrentSubscription, getFeatures } from '@/lib/billing/get-features';

export const metadata: Metadata = { title: 'Dashboard' };
export const dynamic = 'force-dynamic';

const STATUS_BADGE: Record<string, string> = { active: 'ok', trialing: 'ok', past_due: 'warn', canceled: 'bad', unpaid: 'bad', incomplete_expired: 'bad' };

export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in?next=/dashboard');
  const { error } = await searchParams;
  const [subscription, features] = await Promise.all([getCurrentSubscription(user.id), getFeatures(user.id)]);
  const isPro = features.plan === 'pro';

  return (
    <main>
      <h1>Dashboard</h1>
      {error ? <p role="alert" className="notice error">{error}</p> : null}
      {subscription?.status === 'past_due' ? (
        <p className="notice warn">Your last payment failed. Stripe is retrying; update your card in billing to keep Pro.</p>
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
            <dt>{subscription?.cancelAtPeriodEnd ? 'Ends on' : 'Renews on'}</dt>
            <dd data-testid="renewal-date">{isPro ? formatDate(subscription?.currentPeriodEnd) : '—'}</dd>
          </dl>
          <div>
            {isPro || user.stripeCustomerId ? (
              <form action="/api/billing/portal" method="post">
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
