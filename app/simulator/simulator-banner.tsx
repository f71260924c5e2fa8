export function SimulatorBanner() {
  return (
    <div className="simulator-banner" role="note">
      TEST MODE SIMULATOR — no Stripe account, no real money. Production uses Stripe Checkout.
    </div>
  );
}
