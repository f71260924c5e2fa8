import { stripeSimulatorEnabled } from '../env';

/** The price ids the local simulator and `stripe:trigger` bill (a real account's are `price_` + Stripe's own id). */
export const SIMULATED_PRICE_PREFIX = 'price_sim_';

/** Whether a stored price is one the simulator billed (its rows never count once it is off). */
export function isSimulatedPrice(priceId: string | null | undefined): boolean {
  return priceId?.startsWith(SIMULATED_PRICE_PREFIX) === true;
}

/**
 * The condition every entitlement read adds: while the simulator is off (a real Stripe key, or a
 * production build not asked for it), the rows it made unlock nothing. Checked in the query, so
 * every instance agrees and nothing needs cleaning up when the key arrives.
 */
export function realSubscriptionsOnly(simulator = stripeSimulatorEnabled()) {
  if (simulator) return {};
  return { OR: [{ stripePriceId: null }, { NOT: { stripePriceId: { startsWith: SIMULATED_PRICE_PREFIX } } }] };
}
