// The first webhook after `next start`, as a fresh instance meets it: the server is spawned and sent
// a signed event as soon as it says it is ready (nothing else reaches it first, not even
// /api/health), then a few more; times from spawn to ready and to the first answer, and each
// request's latency.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { treeCpuMs } from './process-cpu';
import { freePort, SERVER_NODE_FLAGS, TEST_WEBHOOK_SECRETS } from '../../tests/support/app-server';
import { eventBody, freshScenario, signatureHeader } from '../../tests/support/stripe-events';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NEXT_BIN = path.join(ROOT, 'node_modules/next/dist/bin/next');
const [SECRET] = TEST_WEBHOOK_SECRETS as [string];

export type ColdStart = {
  spawnToReadyMs: number;
  spawnToFirstAnswerMs: number;
  firstWebhookMs: number;
  /** CPU milliseconds the server spent until ready, and on the first webhook (steadier than wall time on a busy machine). */
  cpuToReadyMs: number;
  firstWebhookCpuMs: number;
  nextWebhooksMs: number[];
  status: number;
  rssMb: number;
  /** The route's own time for the first webhook (its log line), the rest being the server's. */
  handlerMs: number;
};

/** Resident memory of a process now, in MB (0 when unknown). */
function rssMb(pid: number | undefined): number {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

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

/** `afterReadyMs`: how long after the server says ready the first webhook is sent (0: at once). */
export async function coldStart(databaseUrl: string, env: Record<string, string> = {}, afterReadyMs = 0): Promise<ColdStart> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const spawnedAt = performance.now();
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the start and the first webhook too.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: databaseUrl,
      STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRETS.join(','),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const ready = new Promise<number>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready in/.test(output)) resolve(performance.now());
    });
    child.once('exit', () => resolve(performance.now()));
  });
  try {
    const spawnToReadyMs = Math.round((await ready) - spawnedAt);
    const cpuToReadyMs = Math.round(treeCpuMs(child.pid));
    await new Promise((resolve) => setTimeout(resolve, afterReadyMs));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output}`);
      try {
        const cpuBefore = treeCpuMs(child.pid);
        const first = await postOne(url);
        const answeredAt = performance.now();
        const firstWebhookCpuMs = Math.round(treeCpuMs(child.pid) - cpuBefore);
        const nextWebhooksMs: number[] = [];
        for (let i = 0; i < 5; i += 1) nextWebhooksMs.push((await postOne(url)).ms);
        return {
          spawnToReadyMs,
          cpuToReadyMs,
          firstWebhookCpuMs,
          spawnToFirstAnswerMs: Math.round(answeredAt - spawnedAt),
          firstWebhookMs: first.ms,
          nextWebhooksMs,
          status: first.status,
          rssMb: rssMb(child.pid),
          handlerMs: Number(/"msg":"Webhook processed"[^\n]*"ms":(\d+)/.exec(output)?.[1] ?? NaN),
        };
      } catch (error) {
        // Not listening yet (ready was announced early): the connection is refused before any request reaches the server.
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
