import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startStripeApiDouble } from '../../tests/support/stripe-api-double';
import { findCatalogPrice } from './catalog';
import { forgetCatalogPriceIds, resolveCatalogPriceId } from './resolve-catalog-price';

// The price ids of the catalog in this Stripe account: one prices.list by lookup key, cached five
// minutes; a failure is not cached.

let double: Awaited<ReturnType<typeof startStripeApiDouble>>;
beforeAll(async () => {
  double = await startStripeApiDouble();
  double.catalog.addPrice({ id: 'price_acct_pro_monthly', lookupKey: 'pro_monthly', unitAmount: 2_000, interval: 'month' });
  double.catalog.addPrice({ id: 'price_acct_team_annual', lookupKey: 'team_annual', unitAmount: 15_000, interval: 'year' });
});
afterAll(() => double.close());
beforeEach(() => {
  forgetCatalogPriceIds();
  vi.useRealTimers();
});

const price = (lookupKey: string) => {
  const found = findCatalogPrice(lookupKey);
  if (!found) throw new Error(lookupKey);
  return found;
};
const lookups = () => double.requests.filter((request) => request.path.startsWith('/v1/prices')).length;

describe('resolveCatalogPriceId', () => {
  it('finds every catalog price in one call, and null for a key the account lacks', async () => {
    const before = lookups();
    expect(await resolveCatalogPriceId(double.stripe, price('pro_monthly'))).toBe('price_acct_pro_monthly');
    expect(await resolveCatalogPriceId(double.stripe, price('team_annual'))).toBe('price_acct_team_annual');
    expect(await resolveCatalogPriceId(double.stripe, price('pro_annual'))).toBeNull();
    expect(lookups() - before).toBe(1);
    const request = double.requests.filter((candidate) => candidate.path.startsWith('/v1/prices')).at(-1);
    expect(request?.body.get('active')).toBe('true');
  });

  it('asks again after five minutes, and sees a key moved to a new price', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2027-01-01T00:00:00Z'));
    expect(await resolveCatalogPriceId(double.stripe, price('pro_monthly'))).toBe('price_acct_pro_monthly');
    double.catalog.addPrice({ id: 'price_acct_pro_monthly_v2', lookupKey: null, unitAmount: 2_500, interval: 'month' });
    const moved = double.catalog.prices.get('price_acct_pro_monthly_v2');
    const old = double.catalog.prices.get('price_acct_pro_monthly');
    if (!moved || !old) throw new Error('prices');
    [old.lookup_key, moved.lookup_key] = [null, 'pro_monthly'];
    const before = lookups();
    vi.setSystemTime(new Date('2027-01-01T00:05:00Z'));
    expect(await resolveCatalogPriceId(double.stripe, price('pro_monthly'))).toBe('price_acct_pro_monthly');
    expect(lookups()).toBe(before);
    vi.setSystemTime(new Date('2027-01-01T00:05:00.001Z'));
    expect(await resolveCatalogPriceId(double.stripe, price('pro_monthly'))).toBe('price_acct_pro_monthly_v2');
    expect(lookups()).toBe(before + 1);
    [old.lookup_key, moved.lookup_key] = ['pro_monthly', null];
  });

  it('answers a configured STRIPE_PRICE_<LOOKUP_KEY> id without asking Stripe', async () => {
    vi.stubEnv('STRIPE_PRICE_PRO_MONTHLY', 'price_configured_pro_monthly');
    vi.resetModules();
    try {
      const configured = await import('./resolve-catalog-price');
      const before = lookups();
      expect(await configured.resolveCatalogPriceId(double.stripe, price('pro_monthly'))).toBe('price_configured_pro_monthly');
      expect(lookups()).toBe(before);
      expect(await configured.resolveCatalogPriceId(double.stripe, price('team_annual'))).toBe('price_acct_team_annual');
      expect(lookups()).toBe(before + 1);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });

  it('shares a look-up in flight; one waiting on a look-up that fails asks again', async () => {
    const broken = await startStripeApiDouble();
    await broken.close();
    const [failed, waited, shared] = await Promise.allSettled([
      resolveCatalogPriceId(broken.stripe, price('pro_monthly')),
      resolveCatalogPriceId(double.stripe, price('team_annual')),
      resolveCatalogPriceId(double.stripe, price('pro_monthly')),
    ]);
    expect(failed.status).toBe('rejected');
    expect(waited).toEqual({ status: 'fulfilled', value: 'price_acct_team_annual' });
    expect(shared).toEqual({ status: 'fulfilled', value: 'price_acct_pro_monthly' });
  });

  it('does not cache a failed look-up', async () => {
    const broken = await startStripeApiDouble();
    await broken.close();
    await expect(resolveCatalogPriceId(broken.stripe, price('pro_monthly'))).rejects.toThrow();
    expect(await resolveCatalogPriceId(double.stripe, price('pro_monthly'))).toBe('price_acct_pro_monthly');
  });
});
