import type Stripe from 'stripe';
import { getPrisma } from '../../db/client';
import { stripeEventEnvelope } from './event-fields';
import { processStripeEvent, type ProcessResult } from './process-stripe-event';

export class ReprocessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReprocessError';
  }
}

/**
 * An administrator runs a failed event again, or replays an ignored one (say, a live event recorded
 * before the live key was configured): the stored payload goes through the same pipeline as a
 * delivery, with the same idempotency (the row is reopened under its lock) and ordering rules.
 */
export async function reprocessWebhookEvent(eventId: string): Promise<ProcessResult> {
  const row = await getPrisma().stripeWebhookEvent.findUnique({ where: { id: eventId }, select: { status: true, payload: true } });
  if (!row) throw new ReprocessError(`Event ${eventId} not found.`);
  if (row.status === 'processed') throw new ReprocessError(`Event ${eventId} is already processed.`);
  if (!stripeEventEnvelope.safeParse(row.payload).success)
    throw new ReprocessError(`Event ${eventId} has no stored Stripe event to reprocess.`);
  // The stored payload is the verified body Stripe signed: the Stripe.Event it was.
  const event = row.payload as unknown as Stripe.Event;
  return processStripeEvent({ event, payload: JSON.stringify(row.payload), source: 'admin' });
}
