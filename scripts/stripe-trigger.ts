// Offline `stripe trigger`: posts a realistic, correctly signed event to the running app.
//   npm run stripe:trigger -- <event type> [--url http://localhost:3000] [--user id] [--customer cus_...] [--subscription sub_...] [--status past_due] [--repeat 2]
//     [--price team_monthly --seats 5]  (subscription events: a catalog price by lookup key, and its seats)
// --repeat N posts the same signed body N times, as Stripe does when it redelivers.
import './load-env';

const { webhookSecrets } = await import('../lib/env');
const { buildTestEvent, freshTestEventIds, signTestEvent, TEMPLATE_EVENT_TYPES } = await import('../lib/dev/test-events');
const { CATALOG_PRICES, findCatalogPrice } = await import('../lib/billing/catalog');
const { billingOf } = await import('../lib/dev/simulate-checkout');

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > -1 ? process.argv[index + 1] : undefined;
}

const type = process.argv.slice(2).find((arg, i, args) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!type) {
  console.error(`usage: npm run stripe:trigger -- <event type> [--url URL] [--user ID] [--customer ID] [--subscription ID] [--status STATUS] [--price LOOKUP_KEY] [--seats N]
event types with realistic payloads: ${TEMPLATE_EVENT_TYPES.join(', ')}
(any other type is sent as a minimal event, which the app records as ignored)`);
  process.exit(2);
}

const [secret] = webhookSecrets();
if (!secret) {
  console.error('STRIPE_WEBHOOK_SECRET is not set: the app would reject every event. Set it in .env.local.');
  process.exit(2);
}

const base = option('url') ?? `http://localhost:${process.env.PORT ?? 3000}`;
const fresh = freshTestEventIds(option('user'));
const ids = {
  ...fresh,
  customerId: option('customer') ?? fresh.customerId,
  subscriptionId: option('subscription') ?? fresh.subscriptionId,
};
const lookupKey = option('price');
const catalogPrice = lookupKey ? findCatalogPrice(lookupKey) : undefined;
if (lookupKey && !catalogPrice) {
  console.error(`--price must be a catalog lookup key: ${CATALOG_PRICES.map((price) => price.lookupKey).join(', ')}`);
  process.exit(2);
}
const price = catalogPrice ? billingOf(catalogPrice, Number(option('seats')) || null) : undefined;
const body = buildTestEvent(type, { ids, status: option('status'), price });
const eventId = (JSON.parse(body) as { id: string }).id;
const repeat = Math.min(Math.max(Number(option('repeat') ?? 1), 1), 100);

try {
  let ok = true;
  for (let delivery = 1; delivery <= repeat; delivery += 1) {
    const response = await fetch(`${base}/api/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signTestEvent(body, secret) },
      body,
    });
    const answer = await response.text();
    if (delivery === 1) {
      console.log(`Trigger succeeded! Posted ${type} (${eventId}) to ${base}/api/webhooks/stripe`);
      console.log(`  customer=${ids.customerId} subscription=${ids.subscriptionId} user=${ids.userId}`);
    }
    console.log(`  <-- [${response.status}] ${answer}`);
    ok &&= response.ok;
  }
  process.exit(ok ? 0 : 1);
} catch (error) {
  console.error(`Could not reach ${base}: ${error instanceof Error ? error.message : String(error)}. Is \`npm run dev\` running?`);
  process.exit(1);
}
