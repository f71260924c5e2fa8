import type { Metadata } from 'next';
import { demoSignInEnabled } from '@/lib/env';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <main>
      <h1>Sign in</h1>
      {demoSignInEnabled() ? (
        <>
          <p className="lead">Demo sign-in: enter any email. No password, no email is sent.</p>
          <SignInForm next={next ?? '/dashboard'} />
        </>
      ) : (
        <p className="notice warn">Email sign-in is disabled on this deployment. Connect a real provider in <code>lib/auth</code>.</p>
      )}
    </main>
  );
}
