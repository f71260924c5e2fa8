import type { BetterAuthPlugin } from 'better-auth';
import { createAuthEndpoint } from 'better-auth/api';
import { setSessionCookie } from 'better-auth/cookies';
import { z } from 'zod';

export const emailSchema = z.email().trim().toLowerCase().max(254);

/**
 * Demo sign-in for development and tests: whoever types an email becomes that user, no password.
 * lib/auth/auth.ts registers it only when demoSignInEnabled(), which a production build fixes to false.
 */
export function demoSignIn() {
  return {
    id: 'demo-sign-in',
    endpoints: {
      demoSignIn: createAuthEndpoint('/demo/sign-in', { method: 'POST', body: z.object({ email: emailSchema }) }, async (ctx) => {
        const { email } = ctx.body;
        const existing = await ctx.context.internalAdapter.findUserByEmail(email);
        const user =
          existing?.user ??
          (await ctx.context.internalAdapter.createUser(
            { email, name: email.split('@')[0] ?? '', emailVerified: false },
            { method: 'demo' },
          ));
        const session = await ctx.context.internalAdapter.createSession(user.id);
        await setSessionCookie(ctx, { session, user });
        return ctx.json({ userId: user.id });
      }),
    },
  } satisfies BetterAuthPlugin;
}
