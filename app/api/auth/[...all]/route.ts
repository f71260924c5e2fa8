import { getAuth } from '@/lib/auth/auth';

export const runtime = 'nodejs';

/** Better Auth's endpoints: sign-up, sign-in (email or OAuth), sign-out, session. */
async function handleAuth(request: Request): Promise<Response> {
  const auth = getAuth();
  if (!auth) return Response.json({ error: 'Sign-in is not configured on this deployment.' }, { status: 503 });
  return auth.handler(request);
}

export { handleAuth as GET, handleAuth as POST };
