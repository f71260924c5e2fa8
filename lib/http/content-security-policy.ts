/**
 * The pages' Content-Security-Policy: scripts only from this origin with this response's nonce (Next.js
 * puts it on its own scripts), no `eval` outside `next dev`, no framing, no plugins, forms posting only
 * here and to Stripe's hosted pages (Chromium applies form-action to the redirect after a post).
 */
export function contentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    // React renders `style` attributes, which a nonce cannot cover.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self' https://checkout.stripe.com https://billing.stripe.com",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** What every response outside the pages carries (API answers are never rendered as documents). */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";
