export default function HomePage() {
  return (
    <main>
      <h1>Acme Billing</h1>
      <p>Billing state driven by Stripe webhooks: exactly once, in order, verified.</p>
    </main>
  );
}
