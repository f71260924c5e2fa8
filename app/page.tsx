import Link from 'next/link';

export default function HomePage() {
  return (
    <main>
      <h1>Analytics your team will actually read</h1>
      <p className="lead">Start free. Upgrade and your plan is on the moment Stripe confirms your payment.</p>
      <p>
        <Link href="/pricing" className="button">
          See pricing
        </Link>{' '}
        <Link href="/dashboard" className="button secondary">
          Go to dashboard
        </Link>
      </p>
    </main>
  );
}
