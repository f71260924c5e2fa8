import { createServer } from 'node:http';

/** An e-mail as the app posts it to EMAIL_API_URL, with the Authorization header it came with. */
export type ReceivedEmail = { from: string; to: string; subject: string; text: string; authorization: string | null };

/**
 * A local mail API (the shape of Resend's POST /emails): records every e-mail posted to it and lists
 * them as JSON on GET, so a test in another process can read the link a user would receive. A post
 * to any path but /emails is refused (422), like a provider turning a message down.
 */
export async function startMailReceiver() {
  const emails: ReceivedEmail[] = [];
  const server = createServer((request, response) => {
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(emails));
      return;
    }
    // Any other path stands for a provider that refuses the message.
    if (request.url !== '/emails') {
      response.writeHead(422, { 'content-type': 'application/json' }).end('{"message":"refused"}');
      return;
    }
    let raw = '';
    request.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
    });
    request.on('end', () => {
      const body = JSON.parse(raw) as Omit<ReceivedEmail, 'authorization'>;
      emails.push({ ...body, authorization: request.headers.authorization ?? null });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `email_${emails.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/emails`,
    emails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The newest e-mail the receiver at `url` holds for `to` whose subject is `subject`, waiting up to 10 s for it. */
export async function receivedEmail(url: string, to: string, subject: string): Promise<ReceivedEmail> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const emails = (await (await fetch(url)).json()) as ReceivedEmail[];
    const found = emails.filter((email) => email.to === to.toLowerCase() && email.subject === subject).at(-1);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no e-mail "${subject}" to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The verification link in the newest "Confirm your e-mail address" e-mail to `to`. */
export async function verificationLink(url: string, to: string): Promise<string> {
  const { text } = await receivedEmail(url, to, 'Confirm your e-mail address');
  const link = /https?:\/\/\S+\/verify-email\?\S+/.exec(text)?.[0];
  if (!link) throw new Error(`no verification link in the e-mail to ${to}`);
  return link;
}

/** The password reset link in the newest "Reset your password" e-mail to `to`. */
export async function passwordResetLink(url: string, to: string): Promise<string> {
  const { text } = await receivedEmail(url, to, 'Reset your password');
  const link = /https?:\/\/\S+\/reset-password\/\S+/.exec(text)?.[0];
  if (!link) throw new Error(`no password reset link in the e-mail to ${to}`);
  return link;
}
