'use client';

import { useState } from 'react';
import { CredentialsForm } from '@/app/components/credentials-form';
import { authClient } from '@/lib/auth/auth-client';
import { useAuthForm } from '@/lib/auth/use-auth-form';

export function SignInForm({ next }: { next: string }) {
  const [email, setEmail] = useState('');
  const [resent, setResent] = useState<string | null>(null);
  const { error, message, pending, submit } = useAuthForm((form, options) => {
    setEmail(String(form.get('email') ?? ''));
    setResent(null);
    return authClient.signIn.email({ email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') }, options);
  }, next);

  async function resend() {
    const result = await authClient.sendVerificationEmail({ email, callbackURL: next });
    setResent(result.error ? 'The link could not be sent. Try again in a minute.' : 'A new link is on its way: check your e-mail.');
  }

  return (
    <>
      <CredentialsForm
        id="sign-in"
        error={message}
        pending={pending}
        onSubmit={submit}
        submitLabel="Sign in"
        pendingLabel="Signing in…"
        passwordAutoComplete="current-password"
      />
      {error?.code === 'EMAIL_NOT_VERIFIED' ? (
        <p>
          <button type="button" className="button secondary" onClick={resend}>
            Send the link again
          </button>{' '}
          {resent ? <span role="status">{resent}</span> : null}
        </p>
      ) : null}
    </>
  );
}
