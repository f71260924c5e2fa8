import { randomUUID } from 'node:crypto';
import { env } from '../env';
import { Prisma } from '../db/generated/client';
import { query } from '../db/sql';
import { errorMessage, logger } from '../logger';
import type { AlertFinding } from './alert-names';
import { postAlert } from './post-alert';

/** How long a run may take to post the transitions it claimed before another run may claim them. */
const CLAIM_SECONDS = 60;

export type AlertTransitions = { sent: number; failed: number };

/** Stores what this run found; a condition that could not be checked (firing null) keeps its state. */
async function recordFindings(findings: AlertFinding[]): Promise<void> {
  const known = findings.filter((finding): finding is AlertFinding & { firing: boolean } => finding.firing !== null);
  if (!known.length) return;
  await query(Prisma.sql`
    INSERT INTO stripe_monitor_alerts AS a (name, firing, message)
    SELECT * FROM unnest(${known.map((f) => f.name)}::text[], ${known.map((f) => f.firing)}::boolean[], ${known.map((f) => f.message)}::text[])
    ON CONFLICT (name) DO UPDATE SET
      since = CASE WHEN a.firing <> EXCLUDED.firing THEN now() ELSE a.since END,
      firing = EXCLUDED.firing, message = EXCLUDED.message, updated_at = now()`);
}

/**
 * Records the findings, then posts each start and each clear to ALERT_WEBHOOK_URL once: a run claims
 * the alerts whose state differs from what was last sent (one UPDATE; overlapping runs and other
 * instances find them claimed), posts, and marks them sent. A failed post frees the claim and is
 * logged with its error; the next run posts it again. Without ALERT_WEBHOOK_URL the log line is the alert.
 */
export async function sendAlertTransitions(
  findings: AlertFinding[],
  url: string | undefined = env.ALERT_WEBHOOK_URL,
): Promise<AlertTransitions> {
  await recordFindings(findings);
  const token = randomUUID();
  const claimed = await query<{ name: string; firing: boolean; message: string }>(Prisma.sql`
    UPDATE stripe_monitor_alerts SET claim_token = ${token}, claimed_until = now() + make_interval(secs => ${CLAIM_SECONDS})
    WHERE firing <> notified AND (claimed_until IS NULL OR claimed_until < now())
    RETURNING name, firing, message`);
  const result: AlertTransitions = { sent: 0, failed: 0 };
  for (const alert of claimed) {
    const text = `${alert.firing ? '[FIRING]' : '[RESOLVED]'} ${alert.name}: ${alert.message}`;
    try {
      if (url) await postAlert(url, text);
      logger.warn(alert.firing ? 'Alert firing' : 'Alert resolved', { alert: alert.name, message: alert.message, posted: Boolean(url) });
      await query(Prisma.sql`
        UPDATE stripe_monitor_alerts SET notified = ${alert.firing}, claim_token = NULL, claimed_until = NULL, last_error = NULL
        WHERE name = ${alert.name} AND claim_token = ${token}`);
      result.sent += 1;
    } catch (error) {
      logger.error('Alert not posted; the next monitor run retries', { alert: alert.name, error: errorMessage(error) });
      await query(Prisma.sql`
        UPDATE stripe_monitor_alerts SET claim_token = NULL, claimed_until = NULL, last_error = ${errorMessage(error)}
        WHERE name = ${alert.name} AND claim_token = ${token}`);
      result.failed += 1;
    }
  }
  return result;
}
