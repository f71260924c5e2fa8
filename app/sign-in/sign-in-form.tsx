'use client';

import { authClient } from '@/lib/auth/auth-client';
import { useAuthForm } from '@/lib/auth/use-auth-form';

export function SignInForm({ next }: { next: string }) {
  const { error, pending, submit } = useAuthForm(
    (form, options) => authClient.signIn.email({ email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') }, options),
    next,
  );

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
