// The first webhook after `next start`, as a fresh instance meets it: the server is spawned and sent
// a signed event as soon as it accepts connections (nothing else reaches it first, not even
// /api/health), then a few more; times from spawn to the first answer and each request's latency.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, SERVER_NODE_FLAGS, TEST_WEBHOOK_SECRETS } from '../../tests/support/app-server';
import { eventBody, freshScenario, signatureHeader } from '../../tests/support/stripe-events';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NEXT_BIN = path.join(ROOT, 'node_modules/next/dist/bin/next');
const [SECRET] = TEST_WEBHOOK_SECRETS as [string];

export type ColdStart = { spawnToFirstAnswerMs: number; firstWebhookMs: number; nextWebhooksMs: number[]; status: number };

async function postOne(url: string): Promise<{ status: number; ms: number }> {
  const body = eventBody('customer.subscription.updated', freshScenario());
  const startedAt = performance.now();
  const response = await fetch(`${url}/api/webhooks/stripe`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'stripe-signature': signatureHeader(body, SECRET) },
  });
  await response.arrayBuffer();
  return { status: response.status, ms: Number((performance.now() - startedAt).toFixed(1)) };
}

export async function coldStart(databaseUrl: string, env: Record<string, string> = {}): Promise<ColdStart> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL: databaseUrl, STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRETS.join(','), ...env },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode})`);
      try {
        const first = await postOne(url);
        const answeredAt = performance.now();
        const nextWebhooksMs: number[] = [];
        for (let i = 0; i < 5; i += 1) nextWebhooksMs.push((await postOne(url)).ms);
        return { spawnToFirstAnswerMs: Math.round(answeredAt - spawnedAt), firstWebhookMs: first.ms, nextWebhooksMs, status: first.status };
      } catch (error) {
        // Not listening yet: the connection is refused before any request reaches the server.
        if (!(error instanceof TypeError) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });
  }
}
