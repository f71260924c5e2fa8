'use client';

import { type FormEvent, useState } from 'react';
import { authErrorMessage } from './auth-client';

type AuthError = { status: number; message?: string | undefined };
type FetchOptions = { onError: (context: { response: Response }) => void };

/**
 * The submit handler of the sign-in and sign-up forms: calls Better Auth with the form's fields,
 * shows its error (rate limits say how long to wait), or loads `next` once signed in.
 */
export function useAuthForm(call: (form: FormData, options: FetchOptions) => Promise<{ error: AuthError | null }>, next: string) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    let retryAfter: string | null = null;
    const result = await call(new FormData(event.currentTarget), {
      onError: ({ response }) => {
        retryAfter = response.headers.get('X-Retry-After');
      },
    });
    if (result.error) {
      setPending(false);
      setError(authErrorMessage(result.error, retryAfter));
      return;
    }
    // A full load, so the header and every server component see the new session.
    window.location.assign(next);
  }

  return { error, pending, submit };
}
