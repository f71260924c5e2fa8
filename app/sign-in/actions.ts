'use server';

import { redirect } from 'next/navigation';
import { signInWithEmail, signOut } from '@/lib/auth/sign-in-with-email';

export type SignInState = { error: string | null };

function safeNext(value: FormDataEntryValue | null): string {
  const next = String(value ?? '');
  // Same-site paths only: `//host` and `/\host` would leave the site.
  return /^\/(?![/\\])/.test(next) ? next : '/dashboard';
}

export async function signInAction(_: SignInState, form: FormData): Promise<SignInState> {
  const result = await signInWithEmail(String(form.get('email') ?? ''));
  if (!result.ok) return { error: result.error };
  redirect(safeNext(form.get('next')));
}

export async function signOutAction(): Promise<void> {
  await signOut();
  redirect('/');
}
