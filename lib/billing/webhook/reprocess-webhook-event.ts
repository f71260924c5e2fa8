import type Stripe from 'stripe';
import { getPrisma } from '../../db/client';
import { processStripeEvent, type ProcessResult } from './process-stripe-event';
import { stripeEventEnvelope } from './event-fields';

export class ReprocessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReprocessError';
  }
}

/**
 * Runs a failed event's stored payload through the same path as a delivery: same handler, same
 * idempotency (the failed row is claimed under its lock) and the same ordering rules.
 */
export async function reprocessWebhookEvent(eventId: string): Promise<ProcessResult> {
  const row = await getPrisma().stripeWebhookEvent.findUnique({ where: { id: eventId }, select: { status: true, payload: true } });
  if (!row) throw new ReprocessError(`Event ${eventId} not found.`);
  if (row.status !== 'failed') throw new ReprocessError(`Event ${eventId} is ${row.status}; only failed events are reprocessed.`);
  const envelope = stripeEventEnvelope.safeParse(row.payload);
  if (!envelope.success) throw new ReprocessError(`Event ${eventId} has no stored Stripe event to reprocess.`);
  // The stored payload is the verified body Stripe signed; it is the Stripe.Event it was.
  const event = row.payload as unknown as Stripe.Event;
  return processStripeEvent({ event, payload: JSON.stringify(row.payload) });
}
