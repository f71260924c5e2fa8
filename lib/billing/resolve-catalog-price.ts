import type Stripe from 'stripe';
import { stripePriceIds } from '../env';
import { CATALOG_PRICES, type CatalogPrice } from './catalog';
import { listCatalogPriceIds } from './list-catalog-price-ids';

const CACHE_MS = 5 * 60_000;

type PriceIds = { ids: Map<string | null, string>; fetchedAt: number };
const globalForPrices = globalThis as unknown as { catalogPriceIds?: Promise<PriceIds> };

/** Forgets the cached ids (after `stripe:setup` moved a lookup key, or in tests). */
export function forgetCatalogPriceIds(): void {
  globalForPrices.catalogPriceIds = undefined;
}

/**
 * The Stripe price id that sells a catalog price in this account: `STRIPE_PRICE_<LOOKUP_KEY>` when
 * set, else the price holding the lookup key, resolved through Stripe and cached for five minutes
 * (one look-up for the whole catalog); null when the account has no such price (stripe:setup not run).
 */
export async function resolveCatalogPriceId(stripe: Stripe, price: CatalogPrice): Promise<string | null> {
  const configured = stripePriceIds[price.lookupKey];
  if (configured) return configured;
  // A look-up in flight is shared (set before any await); a failed one counts as none, so the next request asks again.
  const entry = globalForPrices.catalogPriceIds;
  const cached = entry && (await entry.catch(() => undefined));
  if (cached && Date.now() - cached.fetchedAt <= CACHE_MS) return cached.ids.get(price.lookupKey) ?? null;
  const fetching = listCatalogPriceIds(
    stripe,
    CATALOG_PRICES.map((candidate) => candidate.lookupKey),
  ).then((ids) => ({ ids, fetchedAt: Date.now() }));
  globalForPrices.catalogPriceIds = fetching;
  return (await fetching).ids.get(price.lookupKey) ?? null;
}
