import { errorMessage, logger } from '../../logger';
import { CronUnauthorizedError } from '../reconcile/reconcile-errors';

/** Sync cannot run as configured (no Stripe key): a retry will not help until it is set. */
export class SyncConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncConfigurationError';
  }
}

/** The run stopped part-way (Stripe or the database unreachable); what it applied stays applied. */
export class SyncRunError extends Error {
  constructor(cause: unknown) {
    super(`Sync stopped: ${errorMessage(cause)}`, { cause });
    this.name = 'SyncRunError';
  }
}

/** The one place that maps sync errors to HTTP. Bodies never carry secrets. */
export function syncErrorResponse(error: unknown): Response {
  if (error instanceof CronUnauthorizedError)
    return Response.json({ error: 'Unauthorized: send Authorization: Bearer <CRON_SECRET>' }, { status: 401 });
  if (error instanceof SyncConfigurationError) return Response.json({ error: error.message }, { status: 503 });
  logger.error('Sync failed', { error: errorMessage(error) });
  return Response.json(
    { error: 'Sync stopped before it finished; the next run continues after the last subscription applied' },
    { status: 500 },
  );
}
