/**
 * A billing request that cannot be done: `message` is shown to the user (never a secret or a
 * cause), `status` is the HTTP status it answers with.
 */
export class BillingError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'BillingError';
  }
}
