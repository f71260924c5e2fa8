import type { Metadata } from 'next';
import Link from 'next/link';
import { safeNextPath } from '@/lib/auth/safe-next-path';
import { demoSignInEnabled, oauthProviders, sessionSecret } from '@/lib/env';
import { DemoSignInForm } from './demo-sign-in-form';
import { OAuthButtons, type OAuthProvider } from './oauth-buttons';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNextPath((await searchParams).next);
  if (!sessionSecret()) {
    return (
      <main>
        <h1>Sign in</h1>
        <p className="notice warn">
          Sign-in is not configured on this deployment: set <code>BETTER_AUTH_SECRET</code>.
        </p>
      </main>
    );
  }
  const providers = Object.keys(oauthProviders()) as OAuthProvider[];
  return (
    <main>
      <h1>Sign in</h1>
      <SignInForm next={next} />
      {providers.length > 0 ? <OAuthButtons providers={providers} next={next} /> : null}
      <p>
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        No account yet? <Link href={`/sign-up?next=${encodeURIComponent(next)}`}>Create an account</Link>
      </p>
      {demoSignInEnabled() ? (
        <section aria-labelledby="demo-heading">
          <h2 id="demo-heading">Demo sign-in (development only)</h2>
          <p className="lead">Any email, no password: not part of a production build.</p>
          <DemoSignInForm next={next} />
        </section>
      ) : null}
    </main>
  );
}
