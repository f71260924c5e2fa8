import type Stripe from 'stripe';
import { stripePriceIds } from '../env';
import { CATALOG_PRICES, type CatalogPrice } from './catalog';

const CACHE_MS = 5 * 60_000;
/** Stripe allows up to 10 lookup keys per prices.list call. */
const LOOKUP_KEYS_PER_CALL = 10;

type PriceIds = { ids: Map<string, string>; fetchedAt: number };
const globalForPrices = globalThis as unknown as { catalogPriceIds?: Promise<PriceIds> };

async function fetchPriceIds(stripe: Stripe): Promise<PriceIds> {
  const ids = new Map<string, string>();
  const keys = CATALOG_PRICES.map((price) => price.lookupKey);
  for (let start = 0; start < keys.length; start += LOOKUP_KEYS_PER_CALL) {
    const page = await stripe.prices.list({ lookup_keys: keys.slice(start, start + LOOKUP_KEYS_PER_CALL), active: true, limit: 100 });
    for (const price of page.data) if (price.lookup_key) ids.set(price.lookup_key, price.id);
  }
  return { ids, fetchedAt: Date.now() };
}

/** Forgets the cached ids (after `stripe:setup` moved a lookup key, or in tests). */
export function forgetCatalogPriceIds(): void {
  globalForPrices.catalogPriceIds = undefined;
}

/**
 * The Stripe price id that sells a catalog price in this account: `STRIPE_PRICE_<LOOKUP_KEY>` when
 * set, else the price holding the lookup key, resolved through Stripe and cached for five minutes
 * (one call for the whole catalog); null when the account has no such price (stripe:setup not run).
 */
export async function resolveCatalogPriceId(stripe: Stripe, price: CatalogPrice): Promise<string | null> {
  const configured = stripePriceIds[price.lookupKey];
  if (configured) return configured;
  let entry = globalForPrices.catalogPriceIds;
  const current = entry ? await entry.catch(() => null) : null;
  if (!entry || !current || Date.now() - current.fetchedAt > CACHE_MS) {
    const fetching = fetchPriceIds(stripe);
    entry = fetching;
    globalForPrices.catalogPriceIds = fetching;
    // A failed look-up is not cached: the next request asks again.
    fetching.catch(() => {
      if (globalForPrices.catalogPriceIds === fetching) forgetCatalogPriceIds();
    });
  }
  return (await entry).ids.get(price.lookupKey) ?? null;
}
