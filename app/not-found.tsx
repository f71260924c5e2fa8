import Link from 'next/link';

export default function NotFound() {
  return (
    <main>
      <h1>Page not found</h1>
      <p className="lead">There is nothing at this address.</p>
      <Link href="/" className="button">
        Home
      </Link>
    </main>
  );
}
