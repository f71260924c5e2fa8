import { execFile } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TEST_WEBHOOK_SECRETS } from '../support/app-server';

const run = promisify(execFile);
const appUrl = inject('appUrl');
const root = path.resolve(import.meta.dirname, '../..');

async function script(url: string, withStripeCli: boolean) {
  const bin = await mkdtemp(path.join(tmpdir(), 'stripe-cli-'));
  // Stands in for the Stripe CLI binary, which cannot be downloaded here; the script only asks its version.
  if (withStripeCli) {
    await writeFile(path.join(bin, 'stripe'), '#!/bin/sh\necho "stripe version 1.52.0"\n');
    await chmod(path.join(bin, 'stripe'), 0o755);
  }
  const env = {
    ...process.env,
    PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRETS[0],
  };
  try {
    const { stdout } = await run('bash', ['scripts/test-stripe-webhooks.sh', url], { cwd: root, env });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('scripts/test-stripe-webhooks.sh', () => {
  it('prints the four ✅ lines against a running app', async () => {
    const { code, stdout } = await script(appUrl, true);
    expect(stdout.trim().split('\n')).toEqual([
      '✅ Stripe CLI found',
      '✅ Backend is running',
      '✅ Webhook processed successfully',
      '✅ Idempotency working',
    ]);
    expect(code).toBe(0);
  });

  it('explains what is missing and exits non-zero', async () => {
    const { code, stdout } = await script('http://127.0.0.1:9', false);
    expect(stdout).toContain('❌ Stripe CLI not found: get it with `npx -y @stripe/cli@1.52.0 --version`');
    expect(stdout).toContain('❌ Backend is not answering');
    expect(code).toBe(1);
  });
});
