import { z } from 'zod';

// The fields the handlers read, for the API version the SDK pins (see Stripe.API_VERSION). Parsing
// only these keeps events from a newer or older API version usable as long as these still parse.

const expandableId = z.union([z.string(), z.object({ id: z.string() }).transform((object) => object.id)]);
const metadata = z.record(z.string(), z.string());
// A moment Stripe may leave unset (trial_end, cancel_at…), Unix seconds.
const unixTime = z.number().int().nullish();

/** The envelope every Stripe event has; anything else is not a Stripe event. */
export const stripeEventEnvelope = z
  .object({
    id: z.string().regex(/^evt_/),
    object: z.literal('event'),
    type: z.string().min(1),
    api_version: z.string().nullable().optional(),
    created: z.number().int().nonnegative(),
    livemode: z.boolean(),
    data: z.object({ object: z.object({ id: z.string().optional() }).loose() }).loose(),
  })
  .loose();

// Stripe moved fields in API version 2025-03-31.basil; endpoints created earlier still receive the
// older shapes, so both are read: the period end on the subscription (before basil) or on its items,
// the invoice's subscription at `invoice.subscription` (before basil) or under its `parent`.
export const subscriptionFields = z.object({
  id: z.string(),
  customer: expandableId,
  status: z.string(),
  metadata,
  cancel_at_period_end: z.boolean(),
  current_period_start: z.number().int().optional(),
  current_period_end: z.number().int().optional(),
  trial_end: unixTime,
  cancel_at: unixTime,
  canceled_at: unixTime,
  ended_at: unixTime,
  schedule: expandableId.nullish(),
  items: z.object({
    data: z.array(
      z.object({
        current_period_start: z.number().int().optional(),
        current_period_end: z.number().int().optional(),
        quantity: z.number().int().nonnegative().nullish(),
        price: z.object({
          id: z.string(),
          lookup_key: z.string().nullish(),
          recurring: z.object({ interval: z.string() }).nullable(),
        }),
      }),
    ),
  }),
});

export type SubscriptionFields = z.infer<typeof subscriptionFields>;

/** What changed, for `customer.subscription.updated`: the status the subscription had before. */
export const previousAttributesFields = z.object({ status: z.string().optional() }).nullish();

export const checkoutSessionFields = z.object({
  id: z.string(),
  mode: z.string(),
  client_reference_id: z.string().nullable(),
  metadata: metadata.nullable(),
  customer: expandableId.nullable(),
  subscription: expandableId.nullable(),
});

export const invoiceFields = z.object({
  id: z.string(),
  customer: expandableId.nullable(),
  subscription: expandableId.nullable().optional(),
  subscription_details: z.object({ metadata: metadata.nullable() }).nullable().optional(),
  parent: z
    .object({
      type: z.string(),
      subscription_details: z
        .object({
          subscription: expandableId,
          metadata: metadata.nullable(),
        })
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
  lines: z.object({
    data: z.array(
      z.object({
        period: z.object({ start: z.number().int(), end: z.number().int() }),
        subscription: expandableId.nullable().optional(),
        proration: z.boolean().optional(),
        parent: z
          .object({
            subscription_item_details: z
              .object({ subscription: z.string().nullable(), proration: z.boolean().optional() })
              .nullable()
              .optional(),
          })
          .nullable()
          .optional(),
      }),
    ),
  }),
});

export type InvoiceFields = z.infer<typeof invoiceFields>;

/** `invoice.payment_action_required`: the invoice the customer must confirm, and where. */
export const paymentActionInvoiceFields = invoiceFields.extend({ hosted_invoice_url: z.string().nullish() });

// A schedule phase item's price: an id, or the expanded price object (with its lookup key).
const phasePrice = z.union([
  z.string().transform((id) => ({ id, lookup_key: null })),
  z.object({ id: z.string(), lookup_key: z.string().nullish() }),
]);

/** `subscription_schedule.*`: the schedule's subscription, status, and phases (the pending change). */
export const subscriptionScheduleFields = z.object({
  id: z.string(),
  customer: expandableId,
  subscription: expandableId.nullish(),
  released_subscription: z.string().nullish(),
  status: z.string(),
  current_phase: z.object({ start_date: z.number().int(), end_date: z.number().int() }).nullish(),
  phases: z.array(
    z.object({
      start_date: z.number().int(),
      metadata: metadata.nullish(),
      items: z.array(z.object({ price: phasePrice, quantity: z.number().int().nonnegative().nullish() })),
    }),
  ),
});

export type SubscriptionScheduleFields = z.infer<typeof subscriptionScheduleFields>;

export class EventShapeError extends Error {
  constructor(eventType: string, error: z.ZodError) {
    const details = error.issues
      .slice(0, 3)
      .map((issue) => `data.object.${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    super(`${eventType} does not carry the fields this handler reads: ${details}`);
    this.name = 'EventShapeError';
  }
}

/** Parses the part of `data.object` a handler reads, or throws a clear EventShapeError. */
export function parseEventObject<T extends z.ZodType>(schema: T, eventType: string, object: unknown): z.infer<T> {
  const result = schema.safeParse(object);
  if (!result.success) throw new EventShapeError(eventType, result.error);
  return result.data;
}
