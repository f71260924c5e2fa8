import Stripe from 'stripe';
import { z } from 'zod';
import { getStripe } from '../billing/stripe-client';
import { HANDLED_EVENT_TYPES } from '../billing/webhook/handlers/index';
import { env } from '../env';
import { errorMessage, logger } from '../logger';
import type { AlertFinding } from './alert-names';

// The fields of a webhook endpoint this check reads.
const endpointShape = z.object({
  id: z.string(),
  url: z.string(),
  status: z.string(),
  api_version: z.string().nullable(),
  enabled_events: z.array(z.string()),
});

const WEBHOOK_PATHS = ['/api/webhooks/stripe', '/webhooks/stripe'];

export type EndpointCheck = { findings: AlertFinding[]; skipped?: string };

/** Whether a webhook endpoint's URL delivers to this app (APP_URL's origin, one of the webhook paths). */
function pointsAtApp(url: string, appUrl: string): boolean {
  try {
    const target = new URL(url);
    return target.origin === new URL(appUrl).origin && WEBHOOK_PATHS.includes(target.pathname.replace(/\/$/, ''));
  } catch {
    return false;
  }
}

/** What differs between an endpoint and what the app handles (event types, the SDK's pinned API version). */
function endpointDifferences(endpoint: z.infer<typeof endpointShape>): string[] {
  const enabled = new Set(endpoint.enabled_events);
  const missing = HANDLED_EVENT_TYPES.filter((type) => !enabled.has(type) && !enabled.has('*'));
  const extra = endpoint.enabled_events.filter((type) => !HANDLED_EVENT_TYPES.includes(type));
  const differences: string[] = [];
  if (endpoint.api_version !== Stripe.API_VERSION)
    differences.push(`API version ${endpoint.api_version ?? 'the account default'} instead of ${Stripe.API_VERSION}`);
  if (missing.length) differences.push(`missing events ${missing.join(', ')}`);
  if (extra.length) differences.push(`events the app does not handle ${extra.join(', ')}`);
  return differences;
}

/**
 * Stripe's side of the webhook: lists the account's endpoints (GET /v1/webhook_endpoints) and finds the
 * one delivering to APP_URL. Disabled (Stripe gives up on an endpoint after days of failures) and any
 * difference from what the app handles are findings. Skipped, and says why, without a key or APP_URL;
 * when Stripe cannot be reached both findings are unknown, so a firing alert is not cleared by an outage.
 */
export async function checkStripeEndpoint(): Promise<EndpointCheck> {
  const stripe = getStripe();
  const appUrl = env.APP_URL;
  if (!stripe || !appUrl)
    return {
      findings: [],
      skipped: stripe
        ? 'APP_URL is not set: the endpoint of this app cannot be told apart'
        : "STRIPE_SECRET_KEY is not set: Stripe's webhook endpoints were not checked",
    };
  let endpoints: z.infer<typeof endpointShape>[];
  try {
    endpoints = [];
    for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 })) endpoints.push(endpointShape.parse(endpoint));
  } catch (error) {
    const message = `Stripe's webhook endpoints could not be listed: ${errorMessage(error)}`;
    logger.warn('Stripe endpoint check failed', { error: errorMessage(error) });
    return {
      findings: [
        { name: 'stripe_endpoint_disabled', firing: null, message },
        { name: 'stripe_endpoint_mismatch', firing: null, message },
      ],
      skipped: message,
    };
  }
  const ours = endpoints.filter((endpoint) => pointsAtApp(endpoint.url, appUrl));
  const disabled = ours.filter((endpoint) => endpoint.status === 'disabled');
  const enabled = ours.filter((endpoint) => endpoint.status !== 'disabled');
  const differing = enabled
    .map((endpoint) => ({ endpoint, differences: endpointDifferences(endpoint) }))
    .filter(({ differences }) => differences.length);
  return {
    findings: [
      {
        name: 'stripe_endpoint_disabled',
        firing: disabled.length > 0,
        message: disabled.length
          ? `Stripe reports the webhook endpoint ${disabled.map((endpoint) => `${endpoint.id} (${endpoint.url})`).join(', ')} disabled: no events are delivered until it is enabled again`
          : 'Stripe reports the webhook endpoint enabled',
      },
      {
        name: 'stripe_endpoint_mismatch',
        firing: ours.length === 0 || differing.length > 0,
        message:
          ours.length === 0
            ? `No Stripe webhook endpoint delivers to ${new URL(appUrl).origin}${WEBHOOK_PATHS[0]}`
            : differing.length
              ? differing.map(({ endpoint, differences }) => `Webhook endpoint ${endpoint.id}: ${differences.join('; ')}`).join('. ')
              : 'The webhook endpoint matches the handled events and API version',
      },
    ],
  };
}
