import type { Metadata } from 'next';
import Link from 'next/link';
import { sessionSecret } from '@/lib/env';
import { ForgotPasswordForm } from './forgot-password-form';

export const metadata: Metadata = { title: 'Forgot your password?' };

export default function ForgotPasswordPage() {
  return (
    <main>
      <h1>Forgot your password?</h1>
      {sessionSecret() ? (
        <>
          <p className="lead">Enter your e-mail address: we will send you a link to choose a new password.</p>
          <ForgotPasswordForm />
        </>
      ) : (
        <p className="notice warn">
          Sign-in is not configured on this deployment: set <code>BETTER_AUTH_SECRET</code>.
        </p>
      )}
      <p>
        Remembered it? <Link href="/sign-in">Sign in</Link>
      </p>
    </main>
  );
}
