import { describe, expect, it, vi } from 'vitest';
import { authorizeCronRequest } from './authorize-cron-request';
import { CronUnauthorizedError, ReconcileConfigurationError, reconcileErrorResponse, ReconcileRunError } from './reconcile-errors';

const SECRET = 'cron_secret_unit_0123456789';
const request = (authorization?: string) =>
  new Request('http://127.0.0.1/api/cron/stripe-reconcile', { headers: authorization ? { authorization } : {} });

describe('authorizeCronRequest', () => {
  it('lets in exactly `Bearer <CRON_SECRET>`', () => {
    expect(() => authorizeCronRequest(request(`Bearer ${SECRET}`), SECRET)).not.toThrow();
    for (const header of [undefined, `bearer ${SECRET}`, SECRET, `Bearer ${SECRET.slice(0, -1)}`, 'Bearer ']) {
      expect(() => authorizeCronRequest(request(header), SECRET)).toThrow(CronUnauthorizedError);
    }
  });

  it('refuses with an error that says only Unauthorized', () => {
    expect(() => authorizeCronRequest(request(`Bearer wrong`), SECRET)).toThrow(
      expect.objectContaining({ name: 'CronUnauthorizedError', message: 'Unauthorized' }),
    );
  });

  it('lets nobody in when no CRON_SECRET is configured', () => {
    expect(() => authorizeCronRequest(request('Bearer '), undefined)).toThrow(CronUnauthorizedError);
    expect(() => authorizeCronRequest(request('Bearer undefined'), undefined)).toThrow(CronUnauthorizedError);
  });
});

describe('reconcileErrorResponse', () => {
  it('maps 401, 503 and 500 with an error body only', async () => {
    const unauthorized = reconcileErrorResponse(new CronUnauthorizedError());
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({ error: 'Unauthorized: send Authorization: Bearer <CRON_SECRET>' });
    const unconfigured = reconcileErrorResponse(new ReconcileConfigurationError('STRIPE_SECRET_KEY is not set'));
    expect(unconfigured.status).toBe(503);
    expect(await unconfigured.json()).toEqual({ error: 'STRIPE_SECRET_KEY is not set' });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const stopped = reconcileErrorResponse(new ReconcileRunError(new Error('connect ECONNREFUSED 10.0.0.1:5432')));
    expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)) as unknown)).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'Reconciliation failed',
        error: 'Reconciliation stopped: connect ECONNREFUSED 10.0.0.1:5432',
      }),
    ]);
    errors.mockRestore();
    expect(stopped.status).toBe(500);
    expect(await stopped.json()).toEqual({
      error: 'Reconciliation stopped before it finished; the next run continues from the stored cursor',
    });
  });

  it('names each error', () => {
    const cause = new Error('timeout');
    expect(new ReconcileRunError(cause)).toMatchObject({ name: 'ReconcileRunError', message: 'Reconciliation stopped: timeout', cause });
    expect(new ReconcileConfigurationError('no key')).toMatchObject({ name: 'ReconcileConfigurationError', message: 'no key' });
  });
});
