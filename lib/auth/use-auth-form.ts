'use client';

import { type FormEvent, useState } from 'react';
import { type AuthError, authErrorMessage } from './auth-client';

type FetchOptions = { onError: (context: { response: Response }) => void };

/**
 * The submit handler of the sign-in, sign-up and password forms: calls Better Auth with the form's
 * fields, shows its error (rate limits say how long to wait), or once it succeeded calls `onSuccess`
 * (sign-up and a reset link: "check your e-mail"; a new password: done), else loads `next`.
 */
export function useAuthForm(
  call: (form: FormData, options: FetchOptions) => Promise<{ error: AuthError | null }>,
  next: string,
  onSuccess?: () => void,
) {
  const [error, setError] = useState<AuthError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
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
      setError(result.error);
      setMessage(authErrorMessage(result.error, retryAfter));
      return;
    }
    if (onSuccess) {
      setPending(false);
      setError(null);
      setMessage(null);
      onSuccess();
      return;
    }
    // A full load, so the header and every server component see the new session.
    window.location.assign(next);
  }

  return { error, message, pending, submit };
}
