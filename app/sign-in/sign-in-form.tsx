'use client';

import { CredentialsForm } from '@/app/components/credentials-form';
import { authClient } from '@/lib/auth/auth-client';
import { useAuthForm } from '@/lib/auth/use-auth-form';

export function SignInForm({ next }: { next: string }) {
  const { error, pending, submit } = useAuthForm(
    (form, options) =>
      authClient.signIn.email({ email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') }, options),
    next,
  );
  return (
    <CredentialsForm
      id="sign-in"
      error={error}
      pending={pending}
      onSubmit={submit}
      submitLabel="Sign in"
      pendingLabel="Signing in…"
      passwordAutoComplete="current-password"
    />
  );
}
