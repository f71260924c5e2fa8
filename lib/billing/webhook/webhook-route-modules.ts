// What the webhook route runs (the route imports it from here), also imported at server start by
// instrumentation.ts so that the first delivery to a new instance does not pay for loading it.
export { processStripeEvent } from './process-stripe-event';
export { readWebhookBody } from './read-webhook-body';
export { verifyStripeSignature } from './verify-stripe-signature';
export { webhookErrorResponse } from './webhook-errors';
