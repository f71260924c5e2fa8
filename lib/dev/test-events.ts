import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import checkoutSessionCompleted from './event-templates/checkout.session.completed.json';
import customerCreated from './event-templates/customer.created.json';
import subscriptionCreated from './event-templates/customer.subscription.created.json';
import subscriptionDeleted from './event-templates/customer.subscription.deleted.json';
import subscriptionUpdated from './event-templates/customer.subscription.updated.json';
import invoicePaymentFailed from './event-templates/invoice.payment_failed.json';
import invoicePaymentSucceeded from './event-templates/invoice.payment_succeeded.json';

// Official Stripe example events (API version pinned by the SDK) used as templates for test-mode
// events: the offline trigger and the checkout simulator post them, signed, to the real webhook.
const TEMPLATES: Record<string, unknown> = {
  'checkout.session.completed': checkoutSessionCompleted,
  'customer.created': customerCreated,
  'customer.subscription.created': subscriptionCreated,
  'customer.subscription.updated': subscriptionUpdated,
  'customer.subscription.deleted': subscriptionDeleted,
  'invoice.payment_succeeded': invoicePaymentSucceeded,
  'invoice.payment_failed': invoicePaymentFailed,
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

type BuildOptions = {
  ids: TestEventIds;
  /** Subscription events: bill this price (a monthly or yearly one), with a period starting now. */
  price?: { id: string; interval: 'month' | 'year'; amountCents: number };
  /** Unix seconds; defaults to now, like a real delivery. */
  created?: number;
  /** Set the subscription's status (subscription events only). */
  status?: string;
};

/**
 * A realistic event body of `type` with fresh event id and timestamp and the given customer,
 * subscription and user. Types without a template become a minimal event the app will ignore.
 */
export function buildTestEvent(type: string, { ids, created = Math.floor(Date.now() / 1000), status, price }: BuildOptions): string {
  const template = TEMPLATES[type];
  const event: { id: string; created: number; data: { object: Record<string, unknown> } } = template
    ? (JSON.parse(
        JSON.stringify(template)
          .replaceAll(TEMPLATE_IDS.subscriptionId, ids.subscriptionId)
          .replaceAll(TEMPLATE_IDS.customerId, ids.customerId)
          .replaceAll(TEMPLATE_IDS.userId, ids.userId),
      ) as { id: string; created: number; data: { object: Record<string, unknown> } })
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
      } as { id: string; created: number; data: { object: Record<string, unknown> } });
  event.id = stripeLikeId('evt');
  event.created = created;
  if (status && type.startsWith('customer.subscription.')) event.data.object.status = status;
  if (price && type.startsWith('customer.subscription.')) setSubscriptionPrice(event.data.object, price, created);
  return JSON.stringify(event, null, 2);
}

function setSubscriptionPrice(subscription: Record<string, unknown>, price: NonNullable<BuildOptions['price']>, start: number) {
  const items = subscription.items as { data: Record<string, unknown>[] };
  const item = items.data[0];
  if (!item) return;
  const end = price.interval === 'year' ? start + 365 * 86_400 : start + 30 * 86_400;
  const template = item.price as Record<string, unknown>;
  const recurring = { ...(template.recurring as Record<string, unknown>), interval: price.interval, interval_count: 1 };
  item.price = { ...template, id: price.id, recurring, unit_amount: price.amountCents, unit_amount_decimal: String(price.amountCents) };
  item.current_period_start = start;
  item.current_period_end = end;
}

/** The `stripe-signature` header Stripe would send for this body. */
export function signTestEvent(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
}
