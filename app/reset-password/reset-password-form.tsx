'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { authClient } from '@/lib/auth/auth-client';
import { useAuthForm } from '@/lib/auth/use-auth-form';

/** What the page says for a link that is unknown, used or expired (valid an hour, once). */
const INVALID_RESET_LINK = 'This link is invalid or has expired.';

export function ResetPasswordForm({ token }: { token: string }) {
  const [done, setDone] = useState(false);
  const router = useRouter();
  const {
    error: failure,
    message,
    pending,
    submit,
  } = useAuthForm(
    (form, options) => authClient.resetPassword({ newPassword: String(form.get('password') ?? ''), token }, options),
    '/sign-in',
    () => {
      setDone(true);
      // Every session ended, this browser's too: the header must stop showing it signed in.
      router.refresh();
    },
  );
  const invalid = failure?.code === 'INVALID_TOKEN';
  const error = failure ? { message: invalid ? INVALID_RESET_LINK : message, invalid } : null;

  if (done)
    return (
      <p id="reset-password-done" role="status" className="notice">
        Your password is changed and every session is signed out. <Link href="/sign-in">Sign in with it</Link>
      </p>
    );
  return (
    <form onSubmit={submit} className="card" aria-describedby={error ? 'reset-password-error' : undefined}>
      {error ? (
        <p id="reset-password-error" role="alert" className="notice error">
          {error.message} {error.invalid ? <Link href="/forgot-password">Ask for a new link</Link> : null}
        </p>
      ) : null}
      <div className="form-row">
        <div>
          <label htmlFor="password">New password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            maxLength={128}
            aria-describedby="password-rule"
          />
          <small id="password-rule" style={{ display: 'block' }}>
            At least 8 characters.
          </small>
        </div>
        <button type="submit" className="button" disabled={pending}>
          {pending ? 'Saving…' : 'Set the new password'}
        </button>
      </div>
    </form>
  );
}
