'use client';

import type { FormEvent, ReactNode } from 'react';

type CredentialsFormProps = {
  id: string;
  error: string | null;
  pending: boolean;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  submitLabel: string;
  pendingLabel: string;
  /** Fields before the email (sign-up's name). */
  before?: ReactNode;
  passwordAutoComplete: 'current-password' | 'new-password';
  /** The rule shown under the password field, if any. */
  passwordRule?: string;
};

/** The email + password form of sign-in and sign-up, with the error Better Auth gave. */
export function CredentialsForm({
  id,
  error,
  pending,
  onSubmit,
  submitLabel,
  pendingLabel,
  before,
  passwordAutoComplete,
  passwordRule,
}: CredentialsFormProps) {
  const errorId = `${id}-error`;
  return (
    <form onSubmit={onSubmit} className="card" aria-describedby={error ? errorId : undefined}>
      {error ? (
        <p id={errorId} role="alert" className="notice error">
          {error}
        </p>
      ) : null}
      <div className="form-row">
        {before}
        <div>
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="email" required placeholder="you@company.com" />
        </div>
        <div>
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete={passwordAutoComplete}
            required
            {...(passwordRule ? { minLength: 8, maxLength: 128, 'aria-describedby': 'password-rule' } : {})}
          />
          {passwordRule ? (
            <small id="password-rule" style={{ display: 'block' }}>
              {passwordRule}
            </small>
          ) : null}
        </div>
        <button type="submit" className="button" disabled={pending}>
          {pending ? pendingLabel : submitLabel}
        </button>
      </div>
    </form>
  );
}
