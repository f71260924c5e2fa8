import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, freePort, startApp, TEST_WEBHOOK_SECRETS } from '../support/app-server';
import { deliver } from '../support/deliver';
import { eventBody, freshScenario } from '../support/stripe-events';

const [secret] = TEST_WEBHOOK_SECRETS as [string];

// The pool opens its first connection when the server starts (instrumentation.ts); a database that
// is unreachable then must neither stop nor stall the start.
let app: AppServer;
beforeAll(async () => {
  const closedPort = await freePort();
  app = await startApp({ databaseUrl: `postgresql://billing:billing@127.0.0.1:${closedPort}/billing` });
});
afterAll(async () => {
  await app?.stop();
});

describe('a server started while its database is unreachable', () => {
  it('starts, says why in one warning line, answers health 503 and a delivery 500 (so Stripe retries), and keeps serving', async () => {
    const deadline = Date.now() + 10_000;
    while (!app.logs().includes('Database not reachable at start') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const warning = app
      .logs()
      .split('\n')
      .find((line) => line.includes('Database not reachable at start'));
    expect(warning && JSON.parse(warning)).toMatchObject({
      level: 'warn',
      msg: 'Database not reachable at start; the first request connects',
    });

    expect((await fetch(`${app.url}/api/health`)).status).toBe(503);
    const first = await deliver(app.url, eventBody('customer.subscription.updated', freshScenario()), { secret });
    expect(first.status).toBe(500);
    const second = await deliver(app.url, eventBody('customer.subscription.updated', freshScenario()), { secret });
    expect(second.status).toBe(500);
    expect((await fetch(`${app.url}/api/health`)).status).toBe(503);
  });
});
