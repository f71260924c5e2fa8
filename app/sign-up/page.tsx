import type { Metadata } from 'next';
import Link from 'next/link';
import { safeNextPath } from '@/lib/auth/safe-next-path';
import { sessionSecret } from '@/lib/env';
import { SignUpForm } from './sign-up-form';

export const metadata: Metadata = { title: 'Create an account' };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNextPath((await searchParams).next);
  return (
    <main>
      <h1>Create an account</h1>
      {sessionSecret() ? (
        <SignUpForm next={next} />
      ) : (
        <p className="notice warn">
          Sign-up is not configured on this deployment: set <code>BETTER_AUTH_SECRET</code>.
        </p>
      )}
      <p>
        Already have an account? <Link href={`/sign-in?next=${encodeURIComponent(next)}`}>Sign in</Link>
      </p>
    </main>
  );
}
