import Stripe from 'stripe';
import { webhookSecrets, webhookToleranceSeconds } from '../../env';
import { stripeEventEnvelope } from './event-fields';
import { WebhookConfigurationError, WebhookRejection } from './webhook-errors';

type VerifyOptions = {
  rawBody: Buffer;
  header: string | null;
  secrets?: string[];
  /** null: tolerance 0 (no replay protection) asked of a production build, which refuses it. */
  toleranceSeconds?: number | null;
};

/**
 * Verifies the `stripe-signature` header against every configured secret (rotation, several
 * endpoints) with Stripe's SDK, which tries every `v1=` value and compares in constant time, then
 * checks that the signed body is a Stripe event.
 */
export function verifyStripeSignature({
  rawBody,
  header,
  secrets = webhookSecrets(),
  toleranceSeconds = webhookToleranceSeconds(),
}: VerifyOptions): Stripe.Event {
  if (!header) throw new WebhookRejection('missing_signature');
  if (secrets.length === 0) throw new WebhookConfigurationError('STRIPE_WEBHOOK_SECRET is not configured');
  if (toleranceSeconds === null)
    throw new WebhookConfigurationError('STRIPE_WEBHOOK_TOLERANCE_SECONDS=0 turns off replay protection: a production build refuses it');

  let reason: 'invalid_signature' | 'timestamp_out_of_tolerance' = 'invalid_signature';
  for (const secret of secrets) {
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(rawBody, header, secret, toleranceSeconds);
    } catch (error) {
      // The SDK checks the signature before the age, so this secret did sign the body: a replay.
      if (error instanceof Stripe.errors.StripeSignatureVerificationError && /tolerance/i.test(error.message)) {
        reason = 'timestamp_out_of_tolerance';
        break;
      }
      // Signed correctly but not JSON.
      if (error instanceof SyntaxError) throw new WebhookRejection('invalid_payload');
      continue;
    }
    if (!stripeEventEnvelope.safeParse(event).success) throw new WebhookRejection('invalid_payload');
    return event;
  }
  throw new WebhookRejection(reason);
}
