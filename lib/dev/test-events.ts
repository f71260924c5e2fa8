import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import checkoutSessionCompleted from './event-templates/checkout.session.completed.json';
import customerCreated from './event-templates/customer.created.json';
import subscriptionCreated from './event-templates/customer.subscription.created.json';
import subscriptionDeleted from './event-templates/customer.subscription.deleted.json';
import subscriptionPaused from './event-templates/customer.subscription.paused.json';
import subscriptionResumed from './event-templates/customer.subscription.resumed.json';
import subscriptionTrialWillEnd from './event-templates/customer.subscription.trial_will_end.json';
import subscriptionUpdated from './event-templates/customer.subscription.updated.json';
import invoicePaymentActionRequired from './event-templates/invoice.payment_action_required.json';
import invoicePaymentFailed from './event-templates/invoice.payment_failed.json';
import invoicePaymentSucceeded from './event-templates/invoice.payment_succeeded.json';
import scheduleCanceled from './event-templates/subscription_schedule.canceled.json';
import scheduleCompleted from './event-templates/subscription_schedule.completed.json';
import scheduleCreated from './event-templates/subscription_schedule.created.json';
import scheduleReleased from './event-templates/subscription_schedule.released.json';
import scheduleUpdated from './event-templates/subscription_schedule.updated.json';

// Official Stripe example events (API version pinned by the SDK) used as templates for test-mode
// events: the offline trigger and the checkout simulator post them, signed, to the real webhook.
const TEMPLATES: Record<string, unknown> = {
  'checkout.session.completed': checkoutSessionCompleted,
  'customer.created': customerCreated,
  'customer.subscription.created': subscriptionCreated,
  'customer.subscription.updated': subscriptionUpdated,
  'customer.subscription.deleted': subscriptionDeleted,
  'customer.subscription.trial_will_end': subscriptionTrialWillEnd,
  'customer.subscription.paused': subscriptionPaused,
  'customer.subscription.resumed': subscriptionResumed,
  'invoice.payment_succeeded': invoicePaymentSucceeded,
  'invoice.payment_failed': invoicePaymentFailed,
  'invoice.payment_action_required': invoicePaymentActionRequired,
  'subscription_schedule.created': scheduleCreated,
  'subscription_schedule.updated': scheduleUpdated,
  'subscription_schedule.released': scheduleReleased,
  'subscription_schedule.canceled': scheduleCanceled,
  'subscription_schedule.completed': scheduleCompleted,
};

export const TEMPLATE_EVENT_TYPES = Object.keys(TEMPLATES);

const TEMPLATE_IDS = {
  subscriptionId: 'sub_1Pgc6rB7WZ01zgkWNy0Cn5nw',
  customerId: 'cus_QXg1o8vcGmoR32',
  userId: 'user_demo_1',
};

export type TestEventIds = { subscriptionId: string; customerId: string; userId: string };

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An id shaped like Stripe's: prefix, underscore, 14 letters and digits. */
export function stripeLikeId(prefix: string): string {
  return `${prefix}_${Array.from(randomBytes(14), (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('')}`;
}

export function freshTestEventIds(userId = 'user_demo_1'): TestEventIds {
  return { subscriptionId: stripeLikeId('sub'), customerId: stripeLikeId('cus'), userId };
}

/** A billing period, Unix seconds. */
export type TestPeriod = { start: number; end: number };

/** A price as subscription items carry it: id, lookup key, interval, unit amount, and the item's quantity. */
export type TestPrice = { id: string; lookupKey: string | null; interval: 'month' | 'year'; amountCents: number; quantity?: number };

type BuildOptions = {
  ids: TestEventIds;
  /** Subscription events: bill this price (a monthly or yearly one, per unit), with a period starting now. */
  price?: TestPrice;
  /** Unix seconds; defaults to now, like a real delivery. */
  created?: number;
  /** Set the subscription's status (subscription events only). */
  status?: string;
  /** The current period (subscription events: of the item; invoices: of the lines). */
  period?: TestPeriod;
  /** Subscription events: scheduled to cancel at the period end (sets cancel_at and canceled_at too). */
  cancelAtPeriodEnd?: boolean;
  /** Subscription events: the trial's start and end. */
  trial?: TestPeriod;
  /** `data.previous_attributes` of a `.updated` event: the fields this change replaced, with their old values. */
  previousAttributes?: Record<string, unknown>;
  /** Invoices: what was billed (amount due, paid or not). */
  amountCents?: number;
  /** Invoices: Stripe's reason (subscription_create, subscription_cycle, subscription_update). */
  billingReason?: string;
  /** Invoices: the invoice's id (to pair a payment with the confirmation it asked for). */
  invoiceId?: string;
  /** Invoices: the hosted invoice page, where the customer pays or confirms. */
  hostedInvoiceUrl?: string;
  /** Subscription events: a cancel date (`cancel_at`, flexible billing mode and the portal). */
  cancelAt?: number | null;
  /** Subscription events: the schedule attached to the subscription, or null. */
  schedule?: string | null;
};

/**
 * A realistic event body of `type` with fresh event id and timestamp and the given customer,
 * subscription and user. Types without a template become a minimal event the app will ignore.
 */
export function buildTestEvent(type: string, options: BuildOptions): string {
  const { ids, created = Math.floor(Date.now() / 1000), status, price } = options;
  const template = TEMPLATES[type];
  const event: { id: string; type: string; created: number; data: { object: Record<string, unknown> } } = template
    ? (JSON.parse(
        JSON.stringify(template)
          .replaceAll(TEMPLATE_IDS.subscriptionId, ids.subscriptionId)
          .replaceAll(TEMPLATE_IDS.customerId, ids.customerId)
          .replaceAll(TEMPLATE_IDS.userId, ids.userId),
      ) as { id: string; type: string; created: number; data: { object: Record<string, unknown> } })
    : ({
        id: '',
        object: 'event',
        api_version: Stripe.API_VERSION,
        created,
        data: { object: { id: stripeLikeId('obj'), object: type.split('.')[0] } },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
      } as { id: string; type: string; created: number; data: { object: Record<string, unknown> } });
  event.id = stripeLikeId('evt');
  event.created = created;
  if (status && type.startsWith('customer.subscription.')) event.data.object.status = status;
  if (price && type.startsWith('customer.subscription.')) setSubscriptionPrice(event.data.object, price, created);
  if (type.startsWith('customer.subscription.')) setSubscriptionState(event as unknown as Record<string, unknown>, options);
  if (type.startsWith('invoice.')) setInvoiceState(event.data.object, options);
  event.type = type;
  return JSON.stringify(event, null, 2);
}

function setSubscriptionState(
  event: Record<string, unknown>,
  { period, cancelAtPeriodEnd, trial, previousAttributes, created, cancelAt, schedule }: BuildOptions,
) {
  const data = event.data as { object: Record<string, unknown>; previous_attributes?: unknown };
  const subscription = data.object;
  const item = (subscription.items as { data: Record<string, unknown>[] }).data[0];
  if (period && item) {
    item.current_period_start = period.start;
    item.current_period_end = period.end;
    subscription.billing_cycle_anchor = period.start;
  }
  const periodEnd = typeof item?.current_period_end === 'number' ? item.current_period_end : null;
  if (cancelAtPeriodEnd !== undefined) {
    subscription.cancel_at_period_end = cancelAtPeriodEnd;
    subscription.cancel_at = cancelAtPeriodEnd ? periodEnd : null;
    subscription.canceled_at = cancelAtPeriodEnd ? (created ?? Math.floor(Date.now() / 1000)) : null;
  }
  if (trial) {
    subscription.trial_start = trial.start;
    subscription.trial_end = trial.end;
    subscription.billing_cycle_anchor = trial.end;
  }
  if (cancelAt !== undefined) {
    subscription.cancel_at = cancelAt;
    subscription.canceled_at = cancelAt === null ? null : (created ?? Math.floor(Date.now() / 1000));
  }
  if (schedule !== undefined) subscription.schedule = schedule;
  if (previousAttributes) data.previous_attributes = previousAttributes;
}

function setInvoiceState(
  invoice: Record<string, unknown>,
  { period, amountCents, billingReason, invoiceId, hostedInvoiceUrl }: BuildOptions,
) {
  if (invoiceId) invoice.id = invoiceId;
  if (hostedInvoiceUrl) invoice.hosted_invoice_url = hostedInvoiceUrl;
  const lines = (invoice.lines as { data: Record<string, unknown>[] }).data;
  if (period) {
    invoice.period_start = period.start;
    invoice.period_end = period.end;
    for (const line of lines) line.period = { start: period.start, end: period.end };
  }
  if (amountCents !== undefined) {
    const paid = invoice.status === 'paid';
    Object.assign(invoice, {
      amount_due: amountCents,
      amount_paid: paid ? amountCents : 0,
      amount_remaining: paid ? 0 : amountCents,
      subtotal: amountCents,
      total: amountCents,
    });
    for (const line of lines) Object.assign(line, { amount: amountCents });
  }
  if (billingReason) invoice.billing_reason = billingReason;
}

function setSubscriptionPrice(subscription: Record<string, unknown>, price: NonNullable<BuildOptions['price']>, start: number) {
  const items = subscription.items as { data: Record<string, unknown>[] };
  const item = items.data[0];
  if (!item) return;
  const end = price.interval === 'year' ? start + 365 * 86_400 : start + 30 * 86_400;
  const template = item.price as Record<string, unknown>;
  const recurring = { ...(template.recurring as Record<string, unknown>), interval: price.interval, interval_count: 1 };
  item.price = {
    ...template,
    id: price.id,
    lookup_key: price.lookupKey,
    recurring,
    unit_amount: price.amountCents,
    unit_amount_decimal: String(price.amountCents),
  };
  item.quantity = price.quantity ?? 1;
  if (item.plan)
    item.plan = {
      ...(item.plan as Record<string, unknown>),
      id: price.id,
      interval: price.interval,
      interval_count: 1,
      amount: price.amountCents,
      amount_decimal: String(price.amountCents),
    };
  subscription.billing_cycle_anchor = start;
  item.current_period_start = start;
  item.current_period_end = end;
}

/** One phase of a test subscription schedule: from `start`, this price and seats. */
export type TestSchedulePhase = { start: number; end: number | null; price: TestPrice };

type ScheduleOptions = {
  ids: TestEventIds;
  scheduleId: string;
  /** not_started | active | released | canceled | completed */
  status: string;
  phases: TestSchedulePhase[];
  /** The index of the phase in effect (null before the schedule starts or after it ended). */
  currentPhase: number | null;
  created?: number;
};

/**
 * A `subscription_schedule.*` event as Stripe sends it (API version pinned by the SDK): phase items
 * carry the price id only; the phase's `lookup_key` metadata is what the app sets when it schedules.
 */
export function buildScheduleEvent(
  type: string,
  { ids, scheduleId, status, phases, currentPhase, created = Math.floor(Date.now() / 1000) }: ScheduleOptions,
): string {
  const released = status === 'released';
  const current = currentPhase === null ? null : phases[currentPhase];
  const event = {
    id: stripeLikeId('evt'),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created,
    data: {
      object: {
        id: scheduleId,
        object: 'subscription_schedule',
        application: null,
        billing_mode: { type: 'flexible' },
        canceled_at: status === 'canceled' ? created : null,
        completed_at: status === 'completed' ? created : null,
        created,
        current_phase: current ? { start_date: current.start, end_date: current.end } : null,
        customer: ids.customerId,
        default_settings: { billing_cycle_anchor: 'automatic', collection_method: 'charge_automatically' },
        end_behavior: 'release',
        livemode: false,
        metadata: {},
        phases: phases.map((phase) => ({
          start_date: phase.start,
          end_date: phase.end,
          items: [{ price: phase.price.id, quantity: phase.price.quantity ?? 1, metadata: {}, discounts: [], tax_rates: [] }],
          metadata: phase.price.lookupKey ? { lookup_key: phase.price.lookupKey } : {},
          proration_behavior: 'none',
          currency: 'usd',
        })),
        released_at: released ? created : null,
        released_subscription: released ? ids.subscriptionId : null,
        status,
        subscription: released ? null : ids.subscriptionId,
        test_clock: null,
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
  return JSON.stringify(event, null, 2);
}

/** The `stripe-signature` header Stripe would send for this body. */
export function signTestEvent(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
}
