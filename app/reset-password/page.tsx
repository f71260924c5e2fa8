import type { Metadata } from 'next';
import Link from 'next/link';
import { z } from 'zod';
import { sessionSecret } from '@/lib/env';
import { ResetPasswordForm } from './reset-password-form';

export const metadata: Metadata = { title: 'Choose a new password' };

// Better Auth's link lands here with ?token=…, or with ?error=INVALID_TOKEN when it is unknown or expired.
const query = z.object({ token: z.string().min(1).max(200).optional(), error: z.string().optional() });

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const parsed = query.safeParse(await searchParams);
  const token = parsed.success && !parsed.data.error ? parsed.data.token : undefined;
  return (
    <main>
      <h1>Choose a new password</h1>
      {!sessionSecret() ? (
        <p className="notice warn">
          Sign-in is not configured on this deployment: set <code>BETTER_AUTH_SECRET</code>.
        </p>
      ) : token ? (
        <ResetPasswordForm token={token} />
      ) : (
        <p id="reset-password-error" role="alert" className="notice error">
          This link is invalid or has expired. <Link href="/forgot-password">Ask for a new link</Link>
        </p>
      )}
    </main>
  );
}
