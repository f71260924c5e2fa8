'use client';

import { authClient } from '@/lib/auth/auth-client';
import { useAuthForm } from '@/lib/auth/use-auth-form';

export function SignUpForm({ next }: { next: string }) {
  const { error, pending, submit } = useAuthForm(
    (form, options) => authClient.signUp.email(
      { name: String(form.get('name') ?? ''), email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') },
      options,
    ),
    next,
  );

  return (
    <form onSubmit={submit} className="card" aria-describedby={error ? 'sign-up-error' : undefined}>
      {error ? <p id="sign-up-error" role="alert" className="notice error">{error}</p> : null}
      <div className="form-row">
        <div>
          <label htmlFor="name">Name</label>
          <input id="name" name="name" type="text" autoComplete="name" required />
        </div>
        <div>
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="email" required placeholder="you@company.com" />
        </div>
        <div>
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="new-password" required minLength={8} maxLength={128} aria-describedby="password-rule" />
          <small id="password-rule" style={{ display: 'block' }}>At least 8 characters.</small>
        </div>
        <button type="submit" className="button" disabled={pending}>{pending ? 'Creating…' : 'Create account'}</button>
      </div>
    </form>
  );
}
