import { errorMessage, logger } from '../../logger';

/** The cron route was called without the right `Authorization: Bearer $CRON_SECRET`. */
export class CronUnauthorizedError extends Error {
  constructor() {
    super('Unauthorized');
    this.name = 'CronUnauthorizedError';
  }
}

/** Reconciliation cannot run as configured (no Stripe key): a retry will not help until it is set. */
export class ReconcileConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconcileConfigurationError';
  }
}

/** The run stopped part-way (Stripe or the database unreachable); what it applied stays applied. */
export class ReconcileRunError extends Error {
  constructor(cause: unknown) {
    super(`Reconciliation stopped: ${errorMessage(cause)}`, { cause });
    this.name = 'ReconcileRunError';
  }
}

/** The one place that maps reconciliation errors to HTTP. Bodies never carry secrets. */
export function reconcileErrorResponse(error: unknown): Response {
  if (error instanceof CronUnauthorizedError)
    return Response.json({ error: 'Unauthorized: send Authorization: Bearer <CRON_SECRET>' }, { status: 401 });
  if (error instanceof ReconcileConfigurationError) return Response.json({ error: error.message }, { status: 503 });
  logger.error('Reconciliation failed', { error: errorMessage(error) });
  return Response.json(
    { error: 'Reconciliation stopped before it finished; the next run continues from the stored cursor' },
    { status: 500 },
  );
}
