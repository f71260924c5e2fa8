import { ALERT_NAMES, type AlertFinding } from './alert-names';
import { checkStripeEndpoint } from './check-stripe-endpoint';
import { countWebhookEvents } from './count-webhook-events';
import { evaluateAlertConditions } from './evaluate-alert-conditions';
import { listFiringAlerts } from './list-firing-alerts';
import { pruneHourlyCounters } from './prune-hourly-counters';
import { pruneWebhookEvents, type PruneResult } from './prune-webhook-events';
import { sendAlertTransitions } from './send-alert-transitions';

export type MonitorResult = {
  firing: { name: string; message: string; since: string }[];
  alerts_sent: number;
  alerts_failed: number;
  checks: Record<string, string>;
  retention: PruneResult & { counter_rows_deleted: number };
};

/**
 * The monitor run (Vercel Cron, every few minutes): counts the hours that ended, evaluates every alert
 * condition (the database's and Stripe's view of the endpoint), posts each start and clear once, then
 * prunes events past their retention and hourly counters past 400 days. Answers what is firing.
 */
export async function runStripeMonitor(): Promise<MonitorResult> {
  await countWebhookEvents();
  const [conditions, endpoint] = await Promise.all([evaluateAlertConditions(), checkStripeEndpoint()]);
  const findings: AlertFinding[] = [...conditions, ...endpoint.findings];
  const transitions = await sendAlertTransitions(findings);
  const checks = Object.fromEntries(
    ALERT_NAMES.map((name) => {
      const finding = findings.find((candidate) => candidate.name === name);
      return [
        name,
        finding?.firing === null || !finding ? `skipped: ${endpoint.skipped ?? 'not checked'}` : finding.firing ? 'firing' : 'ok',
      ];
    }),
  );
  const retention = await pruneWebhookEvents();
  const counterRows = await pruneHourlyCounters();
  const firing = await listFiringAlerts();
  return {
    firing: firing.map((alert) => ({ name: alert.name, message: alert.message, since: alert.since.toISOString() })),
    alerts_sent: transitions.sent,
    alerts_failed: transitions.failed,
    checks,
    retention: { ...retention, counter_rows_deleted: counterRows },
  };
}
