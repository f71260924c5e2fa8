import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { getFeatures } from '@/lib/billing/get-features';

export const metadata: Metadata = { title: 'Advanced analytics' };
export const dynamic = 'force-dynamic';

/** The Pro-only feature: the flag comes from getFeatures(), read through the feature cache. */
export default async function AnalyticsPage() {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in?next=/dashboard/analytics');
  const features = await getFeatures(user.id);
  if (!features.advancedAnalytics) {
    return (
      <main>
        <h1>Advanced analytics</h1>
        <p className="notice" data-testid="feature-locked">
          Advanced analytics comes with a paid plan.
        </p>
        <Link href="/pricing" className="button">
          See the plans
        </Link>
      </main>
    );
  }
  return (
    <main>
      <h1>Advanced analytics</h1>
      <section className="card" data-testid="feature-unlocked">
        <h2>Cohort retention</h2>
        <table>
          <caption className="sr-only">Weekly retention by signup cohort</caption>
          <thead>
            <tr>
              <th scope="col">Cohort</th>
              <th scope="col">Week 1</th>
              <th scope="col">Week 4</th>
              <th scope="col">Week 12</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>September</td>
              <td>82%</td>
              <td>61%</td>
              <td>48%</td>
            </tr>
            <tr>
              <td>October</td>
              <td>85%</td>
              <td>64%</td>
              <td>—</td>
            </tr>
          </tbody>
        </table>
      </section>
    </main>
  );
}
