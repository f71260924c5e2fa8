import { stripeSimulatorEnabled, webhookSecrets } from '@/lib/env';

/** On every page while the test-mode simulator takes the payments; a Stripe key ends it. */
export function SimulatedPaymentsNotice() {
  if (!stripeSimulatorEnabled()) return null;
  return (
    <aside className="notice warn" aria-label="Simulated payments" data-testid="simulated-payments">
      Payments on this site are simulated (test-mode simulator, no Stripe account): nobody is charged.
      {webhookSecrets().length === 0 ? (
        <>
          {' '}
          STRIPE_WEBHOOK_SECRET is not set, so the simulator cannot deliver its events and no payment completes: set it to any{' '}
          <code>whsec_</code> value.
        </>
      ) : null}
    </aside>
  );
}
