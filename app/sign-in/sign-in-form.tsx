'use client';

import { type FormEvent, useState } from 'react';
import { authClient, authErrorMessage } from '@/lib/auth/auth-client';

export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    let retryAfter: string | null = null;
    const result = await authClient.signIn.email(
      { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') },
      { onError: ({ response }) => { retryAfter = response.headers.get('X-Retry-After'); } },
    );
    if (result.error) {
      setPending(false);
      setError(authErrorMessage(result.error, retryAfter));
      return;
    }
    // A full load, so the header and every server component see the new session.
    window.location.assign(next);
  }

  return (
    <form onSubmit={submit} className="card" aria-describedby={error ? 'sign-in-error' : undefined}>
      {error ? <p id="sign-in-error" role="alert" className="notice error">{error}</p> : null}
      <div className="form-row">
        <div>
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="email" required placeholder="you@company.com" />
        </div>
        <div>
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </div>
        <button type="submit" className="button" disabled={pending}>{pending ? 'Signing in…' : 'Sign in'}</button>
      </div>
    </form>
  );
}
