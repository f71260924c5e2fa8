'use client';

import { useState } from 'react';
import { authClient } from '@/lib/auth/auth-client';
import { useAuthForm } from '@/lib/auth/use-auth-form';

/** What the form says once sent, for a registered address and an unknown one alike. */
const RESET_LINK_SENT = 'If an account exists for this address, we sent a link to choose a new password. Check your e-mail.';

export function ForgotPasswordForm() {
  const [sent, setSent] = useState(false);
  const {
    message: error,
    pending,
    submit,
  } = useAuthForm(
    (form, options) => authClient.requestPasswordReset({ email: String(form.get('email') ?? ''), redirectTo: '/reset-password' }, options),
    '/reset-password',
    () => setSent(true),
  );

  if (sent)
    return (
      <p id="forgot-password-sent" role="status" className="notice">
        {RESET_LINK_SENT}
      </p>
    );
  return (
    <form onSubmit={submit} className="card" aria-describedby={error ? 'forgot-password-error' : undefined}>
      {error ? (
        <p id="forgot-password-error" role="alert" className="notice error">
          {error}
        </p>
      ) : null}
      <div className="form-row">
        <div>
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="email" required placeholder="you@company.com" />
        </div>
        <button type="submit" className="button" disabled={pending}>
          {pending ? 'Sending…' : 'Send the link'}
        </button>
      </div>
    </form>
  );
}
