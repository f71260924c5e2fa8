import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Stripe from 'stripe';

// The official example events (also the offline trigger's templates), and the older API versions'
// shapes that only the tests need.
const TEMPLATES = path.resolve(import.meta.dirname, '../../lib/dev/event-templates');
const LEGACY_FIXTURES = path.resolve(import.meta.dirname, '../fixtures/stripe');

export type FixtureName =
  | 'checkout.session.completed'
  | 'customer.created'
  | 'customer.subscription.created'
  | 'customer.subscription.updated'
  | 'customer.subscription.updated.past_due'
  | 'customer.subscription.deleted'
  | 'invoice.payment_failed'
  | 'invoice.payment_succeeded'
  | 'customer.subscription.updated.acacia'
  | 'customer.subscription.updated.basil'
  | 'invoice.payment_succeeded.acacia'
  | 'invoice.payment_succeeded.basil';

// The ids that tie the fixtures' scenario together; a fresh scenario gets new ones.
const SCENARIO_IDS = {
  subscription: 'sub_1Pgc6rB7WZ01zgkWNy0Cn5nw',
  customer: 'cus_QXg1o8vcGmoR32',
  user: 'user_demo_1',
} as const;

export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}

export type Scenario = { subscriptionId: string; customerId: string; userId: string };

/** A new customer/subscription/user, so tests sharing one database never see each other's rows. */
export function freshScenario(): Scenario {
  return { subscriptionId: randomId('sub'), customerId: randomId('cus'), userId: randomId('user') };
}

/**
 * The raw body Stripe would send: the official fixture's bytes with the scenario's ids, a fresh
 * event id and optional top-level overrides (e.g. `created`).
 */
export function eventBody(
  name: FixtureName,
  scenario: Scenario,
  overrides: { id?: string; created?: number; livemode?: boolean; api_version?: string; status?: string } = {},
): string {
  const raw = readFileSync(path.join(/\.(acacia|basil)$/.test(name) ? LEGACY_FIXTURES : TEMPLATES, `${name}.json`), 'utf8')
    .replaceAll(SCENARIO_IDS.subscription, scenario.subscriptionId)
    .replaceAll(SCENARIO_IDS.customer, scenario.customerId)
    .replaceAll(SCENARIO_IDS.user, scenario.userId);
  const event = JSON.parse(raw) as Record<string, unknown> & { data: { object: Record<string, unknown> } };
  event.id = overrides.id ?? randomId('evt');
  if (overrides.created !== undefined) event.created = overrides.created;
  if (overrides.livemode !== undefined) event.livemode = overrides.livemode;
  if (overrides.api_version !== undefined) event.api_version = overrides.api_version;
  if (overrides.status !== undefined) event.data.object.status = overrides.status;
  return JSON.stringify(event, null, 2);
}

export function eventIdOf(body: string): string {
  return (JSON.parse(body) as { id: string }).id;
}

/** A `stripe-signature` header as Stripe computes it (HMAC-SHA256 of `${t}.${body}`). */
export function signatureHeader(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
}

/** A fixture event, parsed, with the raw body it came from. */
export function stripeEvent(
  name: FixtureName,
  scenario: Scenario,
  overrides: Parameters<typeof eventBody>[2] = {},
): { event: Stripe.Event; payload: string } {
  const payload = eventBody(name, scenario, overrides);
  return { event: JSON.parse(payload) as Stripe.Event, payload };
}

/** The `created` (Unix seconds) of a fixture event as it ships. */
export function fixtureCreated(name: FixtureName): number {
  return (JSON.parse(eventBody(name, freshScenario())) as { created: number }).created;
}
