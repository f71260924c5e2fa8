'use client';

import { useState } from 'react';
import { CredentialsForm } from '@/app/components/credentials-form';
import { authClient } from '@/lib/auth/auth-client';
import { useAuthForm } from '@/lib/auth/use-auth-form';

export function SignUpForm({ next }: { next: string }) {
  const [sent, setSent] = useState(false);
  // The answer is the same whether the address is new or registered: the mailbox tells which.
  const { message, pending, submit } = useAuthForm(
    (form, options) =>
      authClient.signUp.email(
        {
          name: String(form.get('name') ?? ''),
          email: String(form.get('email') ?? ''),
          password: String(form.get('password') ?? ''),
          callbackURL: next,
        },
        options,
      ),
    next,
    () => setSent(true),
  );
  if (sent)
    return (
      <p id="sign-up-sent" role="status" className="notice">
        Check your e-mail to confirm your address. The link in it signs you in.
      </p>
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
      error={message}
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
