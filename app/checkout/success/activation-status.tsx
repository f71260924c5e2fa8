'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';

type Status = {
  plan: string;
  planName: string;
  seats: number | null;
  isActive: boolean;
  status: string | null;
  billingPeriod: string | null;
};
type Phase = 'waiting' | 'active' | 'slow' | 'error';

const POLL_EVERY_MS = 1_000;
const GIVE_UP_AFTER_MS = 45_000;

/** Polls the stored subscription until the webhook lands, so nobody sees "Free" after paying. */
export function ActivationStatus() {
  const [phase, setPhase] = useState<Phase>('waiting');
  const [status, setStatus] = useState<Status | null>(null);

  useEffect(() => {
    const startedAt = Date.now();
    let timer: ReturnType<typeof setTimeout>;
    let stopped = false;
    const poll = async () => {
      try {
        const response = await fetch('/api/billing/status', { cache: 'no-store' });
        if (response.status === 401) return setPhase('error');
        const next = (await response.json()) as Status;
        if (stopped) return;
        setStatus(next);
        if (next.isActive) return setPhase('active');
      } catch {
        // a blip: keep polling until the deadline
      }
      if (Date.now() - startedAt > GIVE_UP_AFTER_MS) return setPhase('slow');
      timer = setTimeout(poll, POLL_EVERY_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  if (phase === 'active') {
    return (
      <div className="card" role="status">
        {status?.status === 'trialing' ? (
          <>
            <h2>
              You&apos;re on {status.planName} <span className="badge ok">Trial</span>
            </h2>
            <p>
              Your free trial has started; billed {status.billingPeriod === 'annual' ? 'yearly' : 'monthly'} when it ends. Everything is
              unlocked.
            </p>
          </>
        ) : (
          <>
            <h2>
              You&apos;re on {status?.planName} <span className="badge ok">Active</span>
            </h2>
            <p>
              Billed {status?.billingPeriod === 'annual' ? 'yearly' : 'monthly'}
              {status?.seats ? `, ${status.seats} seats` : ''}. Everything is unlocked.
            </p>
          </>
        )}
        <Link href="/dashboard" className="button">
          Go to your dashboard
        </Link>
      </div>
    );
  }
  if (phase === 'slow') {
    return (
      <div className="notice warn" role="status">
        Your payment went through, but Stripe has not confirmed it yet. This usually takes seconds; it can take a few minutes. Please do not
        pay again: refresh this page in a minute, or check your <Link href="/dashboard">dashboard</Link>.
      </div>
    );
  }
  if (phase === 'error') {
    return (
      <p className="notice error" role="alert">
        Your session has ended. <Link href="/sign-in?next=/checkout/success">Sign in</Link> to see your plan.
      </p>
    );
  }
  return (
    <div className="card" role="status" aria-live="polite">
      <p>
        <span className="spinner" aria-hidden="true" />
        Activating your subscription… waiting for Stripe&apos;s confirmation.
      </p>
    </div>
  );
}
