import Link from 'next/link';
import { isAdmin } from '@/lib/auth/admin';
import { getCurrentUser } from '@/lib/auth/current-user';
import { signOutAction } from '@/app/sign-in/actions';

export async function SiteHeader() {
  const user = await getCurrentUser();
  return (
    <header className="header">
      <nav aria-label="Main">
        <Link href="/" className="brand">
          Acme Analytics
        </Link>
        <Link href="/pricing">Pricing</Link>
        {user ? <Link href="/dashboard">Dashboard</Link> : null}
        {isAdmin(user) ? <Link href="/admin/webhooks">Webhooks</Link> : null}
        {user ? (
          <form action={signOutAction}>
            <span className="sr-only">Signed in as </span>
            <span aria-label="Signed in as">{user.email}</span>{' '}
            <button type="submit" className="button secondary">
              Sign out
            </button>
          </form>
        ) : (
          <Link href="/sign-in" className="button">
            Sign in
          </Link>
        )}
      </nav>
    </header>
  );
}
