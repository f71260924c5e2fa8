'use client';

import { useActionState } from 'react';
import { signInAction, type SignInState } from './actions';

export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, { error: null });
  return (
    <form action={action} className="card" aria-describedby={state.error ? 'sign-in-error' : undefined}>
      {state.error ? <p id="sign-in-error" role="alert" className="notice error">{state.error}</p> : null}
      <input type="hidden" name="next" value={next} />
      <div className="form-row">
        <div>
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="email" required placeholder="you@company.com" />
        </div>
        <button type="submit" className="button" disabled={pending}>{pending ? 'Signing in…' : 'Sign in'}</button>
      </div>
    </form>
  );
}
