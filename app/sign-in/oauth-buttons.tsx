'use client';

import { useState } from 'react';
import { authClient } from '@/lib/auth/auth-client';

const LABELS = { github: 'GitHub', google: 'Google' } as const;
export type OAuthProvider = keyof typeof LABELS;

/** One button per OAuth provider the deployment has credentials for. */
export function OAuthButtons({ providers, next }: { providers: OAuthProvider[]; next: string }) {
  const [error, setError] = useState<string | null>(null);
  async function signIn(provider: OAuthProvider) {
    const result = await authClient.signIn.social({ provider, callbackURL: next });
    if (result.error) setError(result.error.message ?? 'That provider is unavailable right now.');
  }
  return (
    <div className="form-row">
      {error ? (
        <p role="alert" className="notice error">
          {error}
        </p>
      ) : null}
      {providers.map((provider) => (
        <button key={provider} type="button" className="button secondary" onClick={() => signIn(provider)}>
          Continue with {LABELS[provider]}
        </button>
      ))}
    </div>
  );
}
