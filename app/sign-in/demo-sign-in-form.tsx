'use client';

import { type FormEvent, useState } from 'react';
import { authClient } from '@/lib/auth/auth-client';

/** Development only (the sign-in page renders it when demoSignInEnabled()): any email, no password. */
export function DemoSignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get('email') ?? '');
    const result = await authClient.$fetch('/demo/sign-in', { method: 'POST', body: { email } });
    if (result.error) return setError(result.error.message ?? 'Enter a valid email address.');
    window.location.assign(next);
  }
  return (
    <form onSubmit={submit} className="card">
      {error ? (
        <p role="alert" className="notice error">
          {error}
        </p>
      ) : null}
      <div className="form-row">
        <div>
          <label htmlFor="demo-email">Demo email</label>
          <input id="demo-email" name="email" type="email" required placeholder="anyone@example.com" />
        </div>
        <button type="submit" className="button secondary">
          Demo sign-in
        </button>
      </div>
    </form>
  );
}
