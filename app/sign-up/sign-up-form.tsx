'use client';

import { CredentialsForm } from '@/app/components/credentials-form';
import { authClient } from '@/lib/auth/auth-client';
import { useAuthForm } from '@/lib/auth/use-auth-form';

export function SignUpForm({ next }: { next: string }) {
  const { error, pending, submit } = useAuthForm(
    (form, options) =>
      authClient.signUp.email(
        { name: String(form.get('name') ?? ''), email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') },
        options,
      ),
    next,
  );
  const nameField = (
    <div>
      <label htmlFor="name">Name</label>
      <input id="name" name="name" type="text" autoComplete="name" required />
    </div>
  );
  return (
    <CredentialsForm
      id="sign-up"
      error={error}
      pending={pending}
      onSubmit={submit}
      before={nameField}
      submitLabel="Create account"
      pendingLabel="Creating…"
      passwordAutoComplete="new-password"
      passwordRule="At least 8 characters."
    />
  );
}
