import { describe, expect, it } from 'vitest';
import { checkStripeEndpoint } from './check-stripe-endpoint';

describe('checkStripeEndpoint', () => {
  it('is skipped, and says why, without a Stripe key: no finding, so no alert starts or clears', async () => {
    const check = await checkStripeEndpoint();
    expect(check).toEqual({ findings: [], skipped: "STRIPE_SECRET_KEY is not set: Stripe's webhook endpoints were not checked" });
  });
});
