import { EVENT_STATUS, eventStatusSql } from '../billing/webhook/event-statuses';
import { getPrisma } from '../db/client';
import { env } from '../env';

export const SIGNATURE_REASONS = ['missing_signature', 'invalid_signature', 'timestamp_out_of_tolerance'];

export type WebhookCounters = {
  /** processed / (processed + failed) among events received in the last 24 h; null when none. */
  successRate24h: number | null;
  signatureFailuresLastHour: number;
  /** Over ALERT_SIGNATURE_FAILURES_PER_HOUR, the monitor's own threshold: the badge and the alert agree. */
  signatureAlertOver: number;
  signatureAlert: boolean;
  /** Redeliveries answered `already_processed`, as a share of all deliveries in the last 24 h. */
  duplicateShare24h: number | null;
  failedEvents: number;
};

export async function getWebhookCounters(): Promise<WebhookCounters> {
  const prisma = getPrisma();
  const [day, rejections, failed] = await Promise.all([
    // Duplicates come from the hourly counter: a redelivery counts in the hour it arrived, whenever
    // its event was first received.
    prisma.$queryRaw<{ processed: number; failed: number; events: number; duplicates: number }[]>`
      SELECT count(*) FILTER (WHERE status = ${eventStatusSql(EVENT_STATUS.processed)})::int AS processed,
             count(*) FILTER (WHERE status = ${eventStatusSql(EVENT_STATUS.failed)})::int AS failed,
             count(*)::int AS events,
             (SELECT coalesce(sum(count), 0)::int FROM stripe_webhook_duplicates
              WHERE hour > date_trunc('hour', now() - interval '24 hours')) AS duplicates
      FROM stripe_webhook_events WHERE received_at > now() - interval '24 hours'`,
    prisma.$queryRaw<{ total: number }[]>`
      SELECT coalesce(sum(count), 0)::int AS total FROM stripe_webhook_rejections
      WHERE hour = date_trunc('hour', now()) AND reason = ANY(${SIGNATURE_REASONS}::text[])`,
    prisma.stripeWebhookEvent.count({ where: { status: EVENT_STATUS.failed } }),
  ]);
  const stats = day[0] ?? { processed: 0, failed: 0, events: 0, duplicates: 0 };
  const signatureFailuresLastHour = rejections[0]?.total ?? 0;
  const attempted = stats.processed + stats.failed;
  const deliveries = stats.events + stats.duplicates;
  return {
    successRate24h: attempted ? stats.processed / attempted : null,
    signatureFailuresLastHour,
    signatureAlertOver: env.ALERT_SIGNATURE_FAILURES_PER_HOUR,
    signatureAlert: signatureFailuresLastHour > env.ALERT_SIGNATURE_FAILURES_PER_HOUR,
    duplicateShare24h: deliveries ? stats.duplicates / deliveries : null,
    failedEvents: failed,
  };
}
