import { describe, expect, it, vi } from 'vitest';
import { CronUnauthorizedError } from '../reconcile/reconcile-errors';
import { SyncConfigurationError, syncErrorResponse, SyncRunError } from './sync-errors';

describe('syncErrorResponse', () => {
  it('answers 401 for a missing secret, 503 for a missing key, 500 for a run that stopped, never echoing the cause', async () => {
    const unauthorized = syncErrorResponse(new CronUnauthorizedError());
    expect([unauthorized.status, await unauthorized.json()]).toEqual([
      401,
      { error: 'Unauthorized: send Authorization: Bearer <CRON_SECRET>' },
    ]);
    const unconfigured = syncErrorResponse(new SyncConfigurationError('STRIPE_SECRET_KEY is not set'));
    expect([unconfigured.status, await unconfigured.json()]).toEqual([503, { error: 'STRIPE_SECRET_KEY is not set' }]);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const stopped = syncErrorResponse(new SyncRunError(new Error('password authentication failed for sk_live_secret')));
    expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)) as unknown)).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'Sync failed',
        error: expect.stringMatching(/^Sync stopped: password authentication/),
      }),
    ]);
    errors.mockRestore();
    expect(stopped.status).toBe(500);
    expect(await stopped.json()).toEqual({
      error: 'Sync stopped before it finished; the next run continues after the last subscription applied',
    });
  });

  it('names the cause of a stopped run', () => {
    const cause = new Error('connection refused');
    const error = new SyncRunError(cause);
    expect([error.message, error.cause, error.name]).toEqual(['Sync stopped: connection refused', cause, 'SyncRunError']);
    expect(new SyncConfigurationError('no key')).toMatchObject({ name: 'SyncConfigurationError', message: 'no key' });
  });
});
