import { verificationLink } from './mail-receiver';

/** POSTs to a Better Auth endpoint of `appUrl` from its own origin; on a rate limit, waits as told and tries again. */
export async function postAuth(
  appUrl: string,
  path: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Response> {
  for (;;) {
    const response = await fetch(`${appUrl}/api/auth${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: appUrl, ...headers },
      body: JSON.stringify(body),
    });
    if (response.status !== 429) return response;
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('x-retry-after') ?? '10') * 1_000));
  }
}

/**
 * Signs up on a running app as a person would: the form's request, then the link from the e-mail the
 * app sent to `mailUrl` (tests/support/mail-receiver.ts), which confirms the address and signs in.
 * Returns the user's id and session cookie.
 */
export async function signUpVerified({
  appUrl,
  mailUrl,
  email,
  password,
  name = 'Test user',
}: {
  appUrl: string;
  mailUrl: string;
  email: string;
  password: string;
  name?: string;
}): Promise<{ userId: string; cookie: string }> {
  const signUp = await postAuth(appUrl, '/sign-up/email', { name, email, password, callbackURL: '/dashboard' });
  if (signUp.status !== 200) throw new Error(`sign-up answered ${signUp.status}: ${await signUp.text()}`);
  const verified = await fetch(await verificationLink(mailUrl, email), { redirect: 'manual' });
  if (verified.status !== 302) throw new Error(`the verification link answered ${verified.status}: ${await verified.text()}`);
  const cookie = verified.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const session = (await (await fetch(`${appUrl}/api/auth/get-session`, { headers: { cookie } })).json()) as {
    user?: { id: string };
  } | null;
  if (!session?.user) throw new Error(`the verification link signed ${email} in to no session`);
  return { userId: session.user.id, cookie };
}
