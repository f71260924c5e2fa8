import { formatDateTime } from '@/lib/format';
import { listFiringAlerts } from '@/lib/monitor/list-firing-alerts';

/** What the last monitor run found firing (GET /api/cron/stripe-monitor), with whether it was posted. */
export async function FiringAlerts() {
  const alerts = await listFiringAlerts();
  return (
    <section className="card" aria-label="Alerts" data-testid="firing-alerts">
      <h2>Alerts</h2>
      {alerts.length === 0 ? (
        <p>
          Nothing firing as of the last monitor run (<code>/api/cron/stripe-monitor</code>).
        </p>
      ) : (
        <ul>
          {alerts.map((alert) => (
            <li key={alert.name}>
              <span className="badge bad">{alert.name}</span> {alert.message} · since {formatDateTime(alert.since)}
              {alert.lastError ? (
                <>
                  {' '}
                  · <span className="badge warn">not posted: {alert.lastError}</span>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
