import { listUnknownPrices } from '@/lib/admin/list-unknown-prices';
import { formatDateTime } from '@/lib/format';

/** Subscriptions on prices outside the catalog: stored, but they unlock nothing. */
export async function UnknownPrices() {
  const prices = await listUnknownPrices();
  if (prices.length === 0) return null;
  return (
    <section className="card" aria-labelledby="unknown-prices-heading" data-testid="unknown-prices">
      <h2 id="unknown-prices-heading">Prices outside the catalog</h2>
      <p className="notice warn">
        These subscriptions bill a price that lib/billing/catalog.ts does not sell, so they unlock nothing (events noted{' '}
        <code>unknown_price</code>).
      </p>
      <table>
        <thead>
          <tr>
            <th>Price</th>
            <th>Subscriptions</th>
            <th>Active</th>
            <th>Last change</th>
          </tr>
        </thead>
        <tbody>
          {prices.map((price) => (
            <tr key={price.priceId ?? 'none'}>
              <td className="mono">{price.priceId ?? '—'}</td>
              <td>{price.subscriptions}</td>
              <td>{price.active}</td>
              <td>{formatDateTime(price.lastSeen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
