import type Stripe from 'stripe';

/** Stripe allows up to 10 lookup keys per prices.list call. */
const LOOKUP_KEYS_PER_CALL = 10;

/**
 * The active price holding each of these lookup keys in this Stripe account: one prices.list per ten
 * keys. A key no active price holds is absent (every price listed by lookup key holds one).
 */
export async function listCatalogPriceIds(stripe: Stripe, lookupKeys: readonly string[]): Promise<Map<string | null, string>> {
  const ids = new Map<string | null, string>();
  for (let start = 0; start < lookupKeys.length; start += LOOKUP_KEYS_PER_CALL) {
    const page = await stripe.prices.list({ lookup_keys: lookupKeys.slice(start, start + LOOKUP_KEYS_PER_CALL), active: true, limit: 100 });
    for (const price of page.data) ids.set(price.lookup_key, price.id);
  }
  return ids;
}
