import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeApiDouble } from '../../tests/support/stripe-api-double';
import { listCatalogPriceIds } from './list-catalog-price-ids';

// The price ids of lookup keys, asked of Stripe at most ten keys per call (its limit; the double refuses more).

let double: Awaited<ReturnType<typeof startStripeApiDouble>>;
beforeAll(async () => {
  double = await startStripeApiDouble();
});
afterAll(() => double.close());

const keysAsked = () =>
  double.requests
    .filter((request) => request.path.startsWith('/v1/prices'))
    .map((request) => [...request.body.entries()].filter(([name]) => name.startsWith('lookup_keys')).map(([, value]) => value));

describe('listCatalogPriceIds', () => {
  it('asks for ten lookup keys per call and maps each key to its price; a key no price holds is absent', async () => {
    const keys = Array.from({ length: 20 }, (_, index) => `batch_key_${index}`);
    keys
      .slice(0, 19)
      .forEach((key, index) =>
        double.catalog.addPrice({ id: `price_batch_${index}`, lookupKey: key, unitAmount: 100 + index, interval: 'month' }),
      );
    const ids = await listCatalogPriceIds(double.stripe, keys);
    expect(ids).toEqual(new Map(keys.slice(0, 19).map((key, index) => [key, `price_batch_${index}`])));
    expect(keysAsked()).toEqual([keys.slice(0, 10), keys.slice(10)]);
  });
});
