import { getCurrentUser } from '@/lib/auth/current-user';
import { getCurrentSubscription } from '@/lib/billing/get-features';
import { findPlan, PLANS } from '@/lib/billing/catalog';
import { featuresFor } from '@/lib/billing/plans';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** The signed-in user's subscription as the webhook has stored it; the success page polls this. */
export async function GET(): Promise<Response> {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: 'Not signed in' }, { status: 401 });
  const subscription = await getCurrentSubscription(user.id);
  const { plan, teamMembers } = featuresFor(subscription);
  return Response.json(
    {
      plan,
      planName: PLANS[plan].name,
      seats: findPlan(plan)?.seats ? (subscription?.quantity ?? null) : null,
      teamMembers,
      status: subscription?.status ?? null,
      isActive: subscription?.isActive ?? false,
      billingPeriod: subscription?.billingPeriod ?? null,
    },
    { headers: { 'cache-control': 'no-store' } },
  );
}
