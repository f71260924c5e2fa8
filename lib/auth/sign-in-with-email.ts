import { z } from 'zod';
import { getPrisma } from '../db/client';
import { demoSignInEnabled } from '../env';
import { getSession } from './session';

export const emailSchema = z.email().trim().toLowerCase().max(254);

/** Demo sign-in: whoever types an email becomes that user. Off in production unless DEMO_SIGN_IN=true. */
export async function signInWithEmail(rawEmail: string): Promise<{ ok: true } | { ok: false; error: string }> {
  if (!demoSignInEnabled()) return { ok: false, error: 'Email sign-in is disabled on this deployment.' };
  const parsed = emailSchema.safeParse(rawEmail);
  if (!parsed.success) return { ok: false, error: 'Enter a valid email address.' };
  const user = await getPrisma().user.upsert({
    where: { email: parsed.data },
    update: {},
    create: { email: parsed.data },
    select: { id: true },
  });
  const session = await getSession();
  session.userId = user.id;
  await session.save();
  return { ok: true };
}

export async function signOut(): Promise<void> {
  const session = await getSession();
  session.destroy();
}
