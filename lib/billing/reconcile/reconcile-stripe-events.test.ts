import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { startStripeEventsApi, type StripeEventsApi } from '../../../tests/support/stripe-events-api';
import { eventBody, eventIdOf, type FixtureName, freshScenario, type Scenario } from '../../../tests/support/stripe-events';
import { eventRows, subscriptionRow, testPool } from '../../../tests/support/database';

// Reconciliation against a real PostgreSQL and the Events API double, through the real stripe-node
// client (STRIPE_API_URL). Each test starts from an empty cursor and an empty double.

const DAY = 86_400;
const pool = testPool(inject('databaseUrl'));
// Events whose processing throws, as when the database is briefly unreachable.
const throwingEvents = new Set<string>();

let api: StripeEventsApi;
let reconcile: typeof import('./reconcile-stripe-events');
beforeAll(async () => {
  api = await startStripeEventsApi({ secretKey: 'sk_test_reconcile_unit' });
  vi.resetModules();
  vi.stubEnv('STRIPE_SECRET_KEY', api.secretKey);
  vi.stubEnv('STRIPE_API_URL', api.url);
  delete (globalThis as { stripe?: unknown }).stripe;
  vi.doMock('../webhook/process-stripe-event', async (importOriginal) => {
    const real = await importOriginal<typeof import('../webhook/process-stripe-event')>();
    return {
      ...real,
      processStripeEvent: async (options: Parameters<typeof real.processStripeEvent>[0]) => {
        if (throwingEvents.has(options.event.id)) throw new Error('connection terminated unexpectedly');
        return real.processStripeEvent(options);
      },
    };
  });
  reconcile = await import('./reconcile-stripe-events');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  delete (globalThis as { stripe?: unknown }).stripe;
  await api.close();
  await pool.end();
});

beforeEach(async () => {
  throwingEvents.clear();
  api.reset();
  await pool.query('DELETE FROM stripe_reconcile_state');
  await pool.query('DELETE FROM stripe_reconcile_runs');
});

const now = () => Math.floor(Date.now() / 1000);

/** The JSON lines the logger wrote to `stream` while `run` ran (console.log: info; console.error: warn and error). */
async function logsOf<T>(stream: 'log' | 'error', run: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const spy = vi.spyOn(console, stream).mockImplementation(() => {});
  try {
    const result = await run();
    return { result, lines: spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>) };
  } finally {
    spy.mockRestore();
  }
}

function add(name: FixtureName, scenario: Scenario, created: number): string {
  const body = eventBody(name, scenario, { created });
  api.add(body);
  return eventIdOf(body);
}

async function state() {
  const { rows } = await pool.query<{ cursor_event_id: string | null; covered_until: Date | null; locked_until: Date | null }>(
    "SELECT cursor_event_id, covered_until, locked_until FROM stripe_reconcile_state WHERE mode = 'test'",
  );
  return rows[0];
}

describe('reconcileStripeEvents', () => {
  it('applies the missed events of the last 30 days once, oldest first, and moves the cursor', async () => {
    const scenario = freshScenario();
    const tooOld = add('customer.subscription.created', freshScenario(), now() - 31 * DAY);
    const created = add('customer.subscription.created', scenario, now() - 3 * DAY);
    add('customer.created', scenario, now() - 2 * DAY);
    const updated = add('customer.subscription.updated.past_due', scenario, now() - DAY);

    // Taken before the run: how long the run takes on a busy machine does not move the bound.
    const startedAt = now();
    const firstRun = await logsOf('log', () => reconcile.reconcileStripeEvents());
    // No warning key at all when there is nothing to warn about.
    expect(firstRun.result).toStrictEqual({
      fetched: 2,
      processed: 2,
      already_processed: 0,
      stale: 0,
      ignored: 0,
      failed: 0,
    });
    expect(firstRun.lines.filter((line) => line.msg === 'Reconciliation finished')).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        msg: 'Reconciliation finished',
        mode: 'test',
        fetched: 2,
        processed: 2,
        already_processed: 0,
        stale: 0,
        ignored: 0,
        failed: 0,
        cursor_event_id: updated,
      },
    ]);
    expect(await eventRows(pool, created)).toMatchObject([{ status: 'processed', attempts: 1 }]);
    expect(await eventRows(pool, updated)).toMatchObject([{ status: 'processed', attempts: 1 }]);
    expect(await eventRows(pool, tooOld)).toEqual([]);
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({
      status: 'past_due',
      is_active: true,
      user_id: scenario.userId,
    });
    // Only the handled types were asked for, from 30 days back.
    const [first] = api.listRequests();
    expect(first?.query.getAll('types[0]')).toEqual(['checkout.session.completed']);
    expect(Number(first?.query.get('created[gte]'))).toBeGreaterThanOrEqual(startedAt - 30 * DAY);
    expect((await state())?.cursor_event_id).toBe(updated);
    expect((await state())?.locked_until).toBeNull();

    // Nothing newer: the next run asks from the cursor and applies nothing.
    expect(await reconcile.reconcileStripeEvents()).toEqual({
      fetched: 0,
      processed: 0,
      already_processed: 0,
      stale: 0,
      ignored: 0,
      failed: 0,
    });
    expect(api.listRequests().at(-1)?.query.get('ending_before')).toBe(updated);
    // Listing the same days again finds every event already processed.
    expect(await reconcile.reconcileStripeEvents({ since: new Date((now() - 5 * DAY) * 1000) })).toEqual({
      fetched: 2,
      processed: 0,
      already_processed: 2,
      stale: 0,
      ignored: 0,
      failed: 0,
    });

    const runs = await pool.query(
      'SELECT status, fetched, processed, already_processed, failed, cursor_event_id FROM stripe_reconcile_runs ORDER BY started_at',
    );
    expect(runs.rows).toEqual([
      { status: 'completed', fetched: 2, processed: 2, already_processed: 0, failed: 0, cursor_event_id: updated },
      { status: 'completed', fetched: 0, processed: 0, already_processed: 0, failed: 0, cursor_event_id: updated },
      { status: 'completed', fetched: 2, processed: 0, already_processed: 2, failed: 0, cursor_event_id: updated },
    ]);
    // What the admin page shows: the last run and the cursor.
    const { getReconcileStatus } = await import('./get-reconcile-status');
    const status = await getReconcileStatus();
    expect(status.lastRun).toMatchObject({
      status: 'completed',
      fetched: 2,
      processed: 0,
      alreadyProcessed: 2,
      failed: 0,
      error: null,
      warning: null,
    });
    expect(status.cursor?.eventId).toBe(updated);
  });

  it('counts stale events and keeps the newer state', async () => {
    const scenario = freshScenario();
    const newer = add('customer.subscription.updated', scenario, now() - DAY);
    expect(await reconcile.reconcileStripeEvents()).toMatchObject({ fetched: 1, processed: 1 });
    // An older event Stripe lists after the cursor (created earlier, listed later).
    add('customer.subscription.updated.past_due', scenario, now() - 2 * DAY);
    expect(await reconcile.reconcileStripeEvents({ since: new Date((now() - 3 * DAY) * 1000) })).toEqual({
      fetched: 2,
      processed: 0,
      already_processed: 1,
      stale: 1,
      ignored: 0,
      failed: 0,
    });
    expect(await subscriptionRow(pool, scenario.subscriptionId)).toMatchObject({ status: 'active', billing_period: 'annual' });
    expect(await eventRows(pool, newer)).toMatchObject([{ status: 'processed' }]);
  });

  it('keeps going after an event that throws, and holds the cursor before it for the next run', async () => {
    const scenarios = [freshScenario(), freshScenario(), freshScenario()];
    const ids = scenarios.map((scenario, index) => add('customer.subscription.created', scenario, now() - (3 - index) * DAY));
    throwingEvents.add(ids[1] as string);

    const failing = await logsOf('error', () => reconcile.reconcileStripeEvents());
    expect(failing.result).toEqual({
      fetched: 3,
      processed: 2,
      already_processed: 0,
      stale: 0,
      ignored: 0,
      failed: 1,
    });
    expect(failing.lines).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'Reconciliation event failed',
        event_id: ids[1],
        type: 'customer.subscription.created',
        error: 'connection terminated unexpectedly',
      }),
    ]);
    expect((await state())?.cursor_event_id).toBe(ids[0]);
    // Covered only up to the event before the failure, not to the run's start.
    expect((await state())?.covered_until?.getTime()).toBeLessThan(Date.now() - 2 * DAY * 1000);
    expect(await subscriptionRow(pool, scenarios[2]?.subscriptionId ?? '')).toMatchObject({ status: 'active' });
    expect(await subscriptionRow(pool, scenarios[1]?.subscriptionId ?? '')).toBeUndefined();
    const [run] = (await pool.query('SELECT status, failed FROM stripe_reconcile_runs')).rows;
    expect(run).toEqual({ status: 'completed', failed: 1 });

    throwingEvents.clear();
    expect(await reconcile.reconcileStripeEvents()).toEqual({
      fetched: 2,
      processed: 1,
      already_processed: 1,
      stale: 0,
      ignored: 0,
      failed: 0,
    });
    expect(await subscriptionRow(pool, scenarios[1]?.subscriptionId ?? '')).toMatchObject({ status: 'active' });
    expect((await state())?.cursor_event_id).toBe(ids[2]);
  });

  it('lets one run at a time work: a second caller gets zero counts and a warning', async () => {
    add('customer.subscription.created', freshScenario(), now() - DAY);
    api.hold();
    const first = reconcile.reconcileStripeEvents();
    await vi.waitFor(() => expect(api.listRequests()).toHaveLength(1));
    const second = await logsOf('error', () => reconcile.reconcileStripeEvents());
    expect(second.result).toEqual({
      fetched: 0,
      processed: 0,
      already_processed: 0,
      stale: 0,
      ignored: 0,
      failed: 0,
      warning: 'Another reconciliation run is in progress; this run did nothing',
    });
    expect(second.lines).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'Reconciliation skipped', mode: 'test', reason: 'already_running' }),
    ]);
    api.release();
    expect(await first).toEqual({ fetched: 1, processed: 1, already_processed: 0, stale: 0, ignored: 0, failed: 0 });
    expect((await pool.query('SELECT count(*)::int AS runs FROM stripe_reconcile_runs')).rows).toEqual([{ runs: 1 }]);
  });

  it('warns when the cursor is older than 25 days, and reports lost events beyond 30', async () => {
    const at = new Date('2026-11-29T12:00:00.000Z');
    await pool.query("INSERT INTO stripe_reconcile_state (mode, covered_until) VALUES ('test', $1)", [
      new Date(at.getTime() - 26 * DAY * 1000),
    ]);
    expect((await reconcile.reconcileStripeEvents({ now: at })).warning).toBe(
      'Cursor is 26 days old: Stripe keeps events for 30 days; run reconciliation before they expire',
    );

    await pool.query("UPDATE stripe_reconcile_state SET covered_until = $1, cursor_event_id = 'evt_long_gone', cursor_created_at = $1", [
      new Date(at.getTime() - 31 * DAY * 1000),
    ]);
    expect((await reconcile.reconcileStripeEvents({ now: at })).warning).toBe(
      'Cursor is 31 days old: Stripe keeps events for 30 days, so events created before 2026-10-30T12:00:00.000Z were not reconciled and may be lost',
    );
    // Not asked for the expired cursor event: from the oldest moment Stripe still covers.
    expect(api.listRequests().at(-1)?.query.get('ending_before')).toBeNull();
    expect(api.listRequests().at(-1)?.query.get('created[gte]')).toBe(String(at.getTime() / 1000 - 30 * DAY));
    const runs = await pool.query('SELECT warning FROM stripe_reconcile_runs ORDER BY started_at');
    expect(runs.rows.map((row: { warning: string | null }) => row.warning?.slice(0, 20))).toEqual([
      'Cursor is 26 days ol',
      'Cursor is 31 days ol',
    ]);
    expect(reconcile.cursorAgeWarning(new Date(at.getTime() - 25 * DAY * 1000), at)).toBeUndefined();
  });

  it('records a run that Stripe stopped as failed, and frees the lease', async () => {
    add('customer.subscription.created', freshScenario(), now() - DAY);
    api.failNext(10); // more than the client's retries
    await expect(reconcile.reconcileStripeEvents()).rejects.toThrow(/^Reconciliation stopped: /);
    api.failNext(0);
    const [run] = (await pool.query('SELECT status, error, finished_at IS NOT NULL AS finished FROM stripe_reconcile_runs')).rows;
    expect(run).toMatchObject({ status: 'failed', finished: true });
    expect((await state())?.locked_until).toBeNull();
    expect(await reconcile.reconcileStripeEvents()).toMatchObject({ fetched: 1, processed: 1 });
  });
});

describe('reconciliation lease and listing window', () => {
  it('takes over a lease whose holder stopped saving, and never one still held', async () => {
    add('customer.subscription.created', freshScenario(), now() - DAY);
    await pool.query(
      "INSERT INTO stripe_reconcile_state (mode, locked_until, lock_token) VALUES ('test', now() + interval '10 seconds', 'held')",
    );
    expect(await reconcile.reconcileStripeEvents()).toMatchObject({ fetched: 0, warning: reconcile.ALREADY_RUNNING_WARNING });
    expect(api.listRequests()).toHaveLength(0);

    await pool.query("UPDATE stripe_reconcile_state SET locked_until = now() - interval '1 second'");
    api.hold();
    const run = reconcile.reconcileStripeEvents();
    await vi.waitFor(() => expect(api.listRequests()).toHaveLength(1));
    // Held for LEASE_SECONDS from the start, by this run's token.
    const {
      rows: [held],
    } = await pool.query<{ seconds: number; lock_token: string }>(
      "SELECT extract(epoch FROM locked_until - now())::float AS seconds, lock_token FROM stripe_reconcile_state WHERE mode = 'test'",
    );
    expect(held?.seconds).toBeGreaterThan(290);
    expect(held?.seconds).toBeLessThanOrEqual(300);
    expect(held?.lock_token).not.toBe('held');
    api.release();
    expect(await run).toMatchObject({ fetched: 1, processed: 1 });
    expect((await state())?.locked_until).toBeNull();
  });

  it('fails the run when another one has taken the lease meanwhile, and leaves that lease alone', async () => {
    const scenario = freshScenario();
    add('customer.subscription.created', scenario, now() - DAY);
    api.hold();
    const run = reconcile.reconcileStripeEvents();
    await vi.waitFor(() => expect(api.listRequests()).toHaveLength(1));
    await pool.query("UPDATE stripe_reconcile_state SET lock_token = 'another_run'");
    api.release();
    await expect(run).rejects.toMatchObject({
      name: 'ReconcileRunError',
      message: 'Reconciliation stopped: Reconciliation lease lost (no progress saved for 300 s); another run took over',
      cause: { name: 'ReconcileLeaseLostError' },
    });
    const [failed] = (await pool.query('SELECT status, error, processed FROM stripe_reconcile_runs')).rows;
    expect(failed).toMatchObject({
      status: 'failed',
      processed: 1,
      error: 'Reconciliation lease lost (no progress saved for 300 s); another run took over',
    });
    expect((await pool.query("SELECT lock_token FROM stripe_reconcile_state WHERE mode = 'test'")).rows).toEqual([
      { lock_token: 'another_run' },
    ]);
  });

  it('lists from 5 minutes before the covered moment without a cursor event, and from at most 30 days back', async () => {
    const at = new Date('2026-11-29T12:00:00.000Z');
    const atSeconds = at.getTime() / 1000;
    await pool.query("INSERT INTO stripe_reconcile_state (mode, covered_until) VALUES ('test', $1)", [
      new Date(at.getTime() - 2 * DAY * 1000),
    ]);
    await reconcile.reconcileStripeEvents({ now: at });
    expect(api.listRequests().at(-1)?.query.get('created[gte]')).toBe(String(atSeconds - 2 * DAY - 300));
    // Listed to the end: covered up to the run's start.
    expect((await state())?.covered_until?.getTime()).toBe(at.getTime());

    await reconcile.reconcileStripeEvents({ now: at, since: new Date(at.getTime() - 40 * DAY * 1000) });
    expect(api.listRequests().at(-1)?.query.get('created[gte]')).toBe(String(atSeconds - 30 * DAY));
    await reconcile.reconcileStripeEvents({ now: at, since: new Date(at.getTime() - 3 * DAY * 1000) });
    expect(api.listRequests().at(-1)?.query.get('created[gte]')).toBe(String(atSeconds - 3 * DAY));
  });

  it('asks from the cursor event only while it is more than an hour inside Stripe’s 30 days', async () => {
    const at = new Date('2026-11-29T12:00:00.000Z');
    const atSeconds = at.getTime() / 1000;
    const edge = at.getTime() - 30 * DAY * 1000;
    await pool.query(
      "INSERT INTO stripe_reconcile_state (mode, cursor_event_id, cursor_created_at, covered_until) VALUES ('test', 'evt_near_edge', $1, $1)",
      [new Date(edge + 59 * 60_000)],
    );
    await reconcile.reconcileStripeEvents({ now: at });
    expect(api.listRequests().some((request) => request.query.has('ending_before'))).toBe(false);
    expect(api.listRequests().at(-1)?.query.get('created[gte]')).toBe(String(atSeconds - 30 * DAY + 59 * 60));

    // Exactly an hour inside is still too close.
    await pool.query(
      "UPDATE stripe_reconcile_state SET cursor_event_id = 'evt_an_hour_inside', cursor_created_at = $1, covered_until = $1",
      [new Date(edge + 3_600_000)],
    );
    await reconcile.reconcileStripeEvents({ now: at });
    expect(api.listRequests().some((request) => request.query.get('ending_before') === 'evt_an_hour_inside')).toBe(false);

    const usable = add('customer.subscription.created', freshScenario(), Math.floor((edge + 2 * 3_600_000) / 1000));
    await pool.query('UPDATE stripe_reconcile_state SET cursor_event_id = $1, cursor_created_at = $2, covered_until = $2', [
      usable,
      new Date(edge + 2 * 3_600_000),
    ]);
    await reconcile.reconcileStripeEvents({ now: at });
    expect(api.listRequests().at(-1)?.query.get('ending_before')).toBe(usable);
  });

  it('warns from just past 25 days, and says events are lost only past 30', () => {
    const at = new Date('2026-11-29T12:00:00.000Z');
    const ago = (ms: number) => new Date(at.getTime() - ms);
    expect(reconcile.cursorAgeWarning(null, at)).toBeUndefined();
    expect(reconcile.cursorAgeWarning(ago(25 * DAY * 1000 + 1), at)).toBe(
      'Cursor is 25 days old: Stripe keeps events for 30 days; run reconciliation before they expire',
    );
    expect(reconcile.cursorAgeWarning(ago(30 * DAY * 1000), at)).toBe(
      'Cursor is 30 days old: Stripe keeps events for 30 days; run reconciliation before they expire',
    );
    expect(reconcile.cursorAgeWarning(ago(30 * DAY * 1000 + 1), at)).toMatch(
      /^Cursor is 30 days old: Stripe keeps events for 30 days, so events created before 2026-10-30T12:00:00\.000Z were not reconciled/,
    );
  });
});

describe('reconcileStripeEvents without a Stripe key', () => {
  it('refuses to run, saying which variable is missing, and records no run', async () => {
    (globalThis as { stripe?: unknown }).stripe = null;
    try {
      await expect(reconcile.reconcileStripeEvents()).rejects.toMatchObject({
        name: 'ReconcileConfigurationError',
        message: "STRIPE_SECRET_KEY is not set: reconciliation reads Stripe's Events API",
      });
    } finally {
      delete (globalThis as { stripe?: unknown }).stripe;
    }
    expect((await pool.query('SELECT count(*)::int AS runs FROM stripe_reconcile_runs')).rows).toEqual([{ runs: 0 }]);
  });
});

describe('getReconcileStatus', () => {
  it('shows the last run of this mode and where its cursor stands', async () => {
    const { getReconcileStatus } = await import('./get-reconcile-status');
    expect(await getReconcileStatus()).toEqual({ lastRun: null, cursor: null });
    await pool.query(
      "INSERT INTO stripe_reconcile_runs (mode, started_at, status) VALUES ('test', now() - interval '2 hours', 'completed')",
    );
    const {
      rows: [last],
    } = await pool.query<{ started_at: Date; finished_at: Date }>(
      `INSERT INTO stripe_reconcile_runs (mode, started_at, finished_at, status, fetched, processed, already_processed, stale, ignored, failed, warning, error)
       VALUES ('test', now() - interval '1 hour', now() - interval '59 minutes', 'failed', 21, 1, 2, 3, 4, 5, 'Cursor is 26 days old', 'Stripe unreachable')
       RETURNING started_at, finished_at`,
    );
    await pool.query("INSERT INTO stripe_reconcile_runs (mode, status) VALUES ('live', 'completed')");
    const coveredUntil = new Date('2026-11-28T12:00:00.000Z');
    await pool.query(
      "INSERT INTO stripe_reconcile_state (mode, cursor_event_id, covered_until) VALUES ('test', 'evt_test_cursor', $1), ('live', 'evt_live_cursor', now())",
      [coveredUntil],
    );

    expect(await getReconcileStatus()).toEqual({
      lastRun: {
        startedAt: last?.started_at,
        finishedAt: last?.finished_at,
        status: 'failed',
        warning: 'Cursor is 26 days old',
        error: 'Stripe unreachable',
        fetched: 21,
        processed: 1,
        alreadyProcessed: 2,
        stale: 3,
        ignored: 4,
        failed: 5,
      },
      cursor: { eventId: 'evt_test_cursor', coveredUntil },
    });
  });
});
