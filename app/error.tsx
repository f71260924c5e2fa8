'use client';

import Link from 'next/link';

// Any page that fails to render: say so plainly, offer a retry; details stay in the server log.
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <h1>Something went wrong</h1>
      <p className="notice error" role="alert">
        This page could not be loaded. Your billing is not affected; please try again.
      </p>
      <p>
        <button type="button" className="button" onClick={reset}>
          Try again
        </button>{' '}
        <Link href="/">Home</Link>
      </p>
    </main>
  );
}
