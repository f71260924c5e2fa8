'use client';

import { type FormEvent, useState } from 'react';
import { authClient, authErrorMessage } from '@/lib/auth/auth-client';

/** What the form says once sent, for a registered address and an unknown one alike. */
const RESET_LINK_SENT = 'If an account exists for this address, we sent a link to choose a new password. Check your e-mail.';

export function ForgotPasswordForm() {
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    let retryAfter: string | null = null;
    const result = await authClient.requestPasswordReset(
      { email: String(new FormData(event.currentTarget).get('email') ?? ''), redirectTo: '/reset-password' },
      { onError: ({ response }) => void (retryAfter = response.headers.get('X-Retry-After')) },
    );
    setPending(false);
    if (result.error) return setError(authErrorMessage(result.error, retryAfter));
    setSent(true);
  }

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
