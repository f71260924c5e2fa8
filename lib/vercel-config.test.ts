import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// What a Vercel deployment relies on: vercel.json is read by the platform, never by the app.
const ROOT = path.resolve(import.meta.dirname, '..');
const vercel = z
  .object({
    buildCommand: z.string(),
    crons: z.array(z.object({ path: z.string(), schedule: z.string() })),
  })
  .parse(JSON.parse(readFileSync(path.join(ROOT, 'vercel.json'), 'utf8')));

describe('vercel.json', () => {
  it('applies pending migrations after a successful build, before the deployment serves traffic', () => {
    expect(vercel.buildCommand).toBe('npm run build && npm run prisma -- migrate deploy');
  });

  it('schedules the reconciliation route hourly, and that route exists', async () => {
    expect(vercel.crons).toContainEqual({ path: '/api/cron/stripe-reconcile', schedule: '0 * * * *' });
    const route = await import('../app/api/cron/stripe-reconcile/route');
    expect(typeof route.GET).toBe('function');
  });

  it('schedules the monitor route every five minutes, and that route exists', async () => {
    expect(vercel.crons).toContainEqual({ path: '/api/cron/stripe-monitor', schedule: '*/5 * * * *' });
    expect(vercel.crons).toHaveLength(3);
    const route = await import('../app/api/cron/stripe-monitor/route');
    expect(typeof route.GET).toBe('function');
  });

  it('schedules the sync route daily, and that route exists', async () => {
    expect(vercel.crons).toContainEqual({ path: '/api/cron/stripe-sync', schedule: '30 3 * * *' });
    const route = await import('../app/api/cron/stripe-sync/route');
    expect(typeof route.GET).toBe('function');
  });
});
