import { type NextRequest, NextResponse } from 'next/server';
import { developmentDefaultsApply } from './lib/env';
import { contentSecurityPolicy } from './lib/http/content-security-policy';

/** A fresh nonce per page response: Next.js reads it from the request's CSP and puts it on its scripts. */
export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const policy = contentSecurityPolicy(nonce, developmentDefaultsApply());
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

// Pages only: API routes (and the webhook under either path) get their headers from next.config.ts.
export const config = {
  matcher: [{ source: '/((?!api/|webhooks/|_next/static|_next/image|favicon.ico).*)' }],
};
