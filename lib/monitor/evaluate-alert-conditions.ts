import { SIGNATURE_REASONS } from '../admin/get-webhook-counters';
import { type Env, env as configured, expectedLivemode } from '../env';
import { Prisma } from '../db/generated/client';
import { query } from '../db/sql';
import type { AlertFinding } from './alert-names';
import { getLastSyncDrift } from './get-last-sync-drift';

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

/** Looks back this far for events noted unknown_price. */
export const UNKNOWN_PRICE_WINDOW_HOURS = 24;

/**
 * The alert conditions read from the database (DESIGN.md, Observability), with the thresholds of the
 * environment. Each reads indexes or hourly counters only: the last hour of events by received_at,
 * failed events by status, unknown-price events by their partial index, the unknown prices by theirs.
 */
export async function evaluateAlertConditions(source: Env = configured): Promise<AlertFinding[]> {
  const mode = expectedLivemode(source) ? 'live' : 'test';
  const [rows, syncDrift] = await Promise.all([
    query<{
      processed: number;
      failed_last_hour: number;
      events_last_hour: number;
      events_two_hours: number;
      duplicates_two_hours: number;
      signature_failures: number;
      failed: number;
      newest_failed: string | null;
      cursor_days: number | null;
      unknown_prices: number;
      unknown_objects: string[] | null;
      unknown_price_ids: string[] | null;
      silent: boolean;
      active_subscriptions: boolean;
    }>(Prisma.sql`
      SELECT
        (SELECT count(*) FILTER (WHERE status = 'processed')::int FROM stripe_webhook_events WHERE received_at > now() - interval '1 hour') AS processed,
        (SELECT count(*) FILTER (WHERE status = 'failed')::int FROM stripe_webhook_events WHERE received_at > now() - interval '1 hour') AS failed_last_hour,
        (SELECT count(*)::int FROM stripe_webhook_events WHERE received_at > now() - interval '1 hour') AS events_last_hour,
        -- Duplicates are counted per clock hour: their share is taken over this hour and the previous one.
        (SELECT count(*)::int FROM stripe_webhook_events WHERE received_at >= date_trunc('hour', now()) - interval '1 hour') AS events_two_hours,
        (SELECT coalesce(sum(count), 0)::int FROM stripe_webhook_duplicates WHERE hour >= date_trunc('hour', now()) - interval '1 hour') AS duplicates_two_hours,
        (SELECT coalesce(max(total), 0)::int FROM (
           SELECT sum(count) AS total FROM stripe_webhook_rejections
           WHERE hour >= date_trunc('hour', now()) - interval '1 hour' AND reason = ANY(${SIGNATURE_REASONS}::text[]) GROUP BY hour) AS hours) AS signature_failures,
        (SELECT count(*)::int FROM stripe_webhook_events WHERE status = 'failed') AS failed,
        (SELECT id FROM stripe_webhook_events WHERE status = 'failed' ORDER BY received_at DESC, id DESC LIMIT 1) AS newest_failed,
        (SELECT extract(epoch FROM now() - covered_until)::float8 / 86400 FROM stripe_reconcile_state WHERE mode = ${mode}) AS cursor_days,
        (SELECT count(*)::int FROM stripe_webhook_events WHERE note = 'unknown_price' AND received_at > now() - make_interval(hours => ${UNKNOWN_PRICE_WINDOW_HOURS})) AS unknown_prices,
        (SELECT array_agg(DISTINCT coalesce(object_id, id)) FROM (
           SELECT object_id, id FROM stripe_webhook_events WHERE note = 'unknown_price' AND received_at > now() - make_interval(hours => ${UNKNOWN_PRICE_WINDOW_HOURS})
           ORDER BY received_at DESC LIMIT 5) AS recent) AS unknown_objects,
        -- The prices themselves, from the subscriptions stored with them (their partial index).
        (SELECT array_agg(price_id ORDER BY price_id) FROM (
           SELECT DISTINCT stripe_price_id AS price_id FROM user_subscriptions WHERE plan = 'unknown' AND stripe_price_id IS NOT NULL
           ORDER BY 1 LIMIT 5) AS prices) AS unknown_price_ids,
        NOT EXISTS (SELECT 1 FROM stripe_webhook_events WHERE received_at > now() - make_interval(secs => ${source.ALERT_NO_DELIVERY_HOURS * 3600}))
          AND NOT EXISTS (SELECT 1 FROM stripe_webhook_duplicates WHERE hour > now() - make_interval(secs => ${source.ALERT_NO_DELIVERY_HOURS * 3600})) AS silent,
        EXISTS (SELECT 1 FROM user_subscriptions WHERE is_active) AS active_subscriptions`),
    getLastSyncDrift(),
  ]);
  const s = rows[0];
  if (!s) throw new Error('The alert conditions query returned no row');
  const attempted = s.processed + s.failed_last_hour;
  const enough = s.events_last_hour >= source.ALERT_MIN_DELIVERIES;
  const successRate = attempted ? s.processed / attempted : 1;
  const deliveries = s.events_two_hours + s.duplicates_two_hours;
  const duplicateShare = deliveries ? s.duplicates_two_hours / deliveries : 0;
  return [
    {
      name: 'webhook_success_rate',
      firing: enough && successRate < source.ALERT_SUCCESS_RATE_MIN,
      message: `Webhook success rate ${percent(successRate)} over the last hour (${s.processed} processed, ${s.failed_last_hour} failed; alert under ${percent(source.ALERT_SUCCESS_RATE_MIN)} with at least ${source.ALERT_MIN_DELIVERIES} deliveries)`,
    },
    {
      name: 'signature_failures',
      firing: s.signature_failures > source.ALERT_SIGNATURE_FAILURES_PER_HOUR,
      message: `${s.signature_failures} webhook signature failures in an hour (alert over ${source.ALERT_SIGNATURE_FAILURES_PER_HOUR}): a wrong STRIPE_WEBHOOK_SECRET after a rotation, or forged requests`,
    },
    {
      name: 'duplicate_share',
      firing: deliveries >= source.ALERT_MIN_DELIVERIES && duplicateShare > source.ALERT_DUPLICATE_SHARE_MAX,
      message: `Duplicate deliveries are ${percent(duplicateShare)} of the ${deliveries} since the start of the previous hour (alert over ${percent(source.ALERT_DUPLICATE_SHARE_MAX)}): Stripe is retrying answers it did not get in time`,
    },
    {
      name: 'failed_events',
      firing: s.failed > 0,
      message: s.failed
        ? `${s.failed} webhook event${s.failed === 1 ? '' : 's'} failed, newest ${s.newest_failed}: see /admin/webhooks?status=failed`
        : 'No failed webhook events',
    },
    {
      name: 'reconcile_cursor_age',
      firing: s.cursor_days !== null && s.cursor_days > source.ALERT_RECONCILE_CURSOR_DAYS,
      message:
        s.cursor_days === null
          ? 'No reconciliation cursor yet'
          : `The reconciliation cursor is ${Math.floor(s.cursor_days)} days old (alert over ${source.ALERT_RECONCILE_CURSOR_DAYS}): Stripe keeps events 30 days`,
    },
    {
      name: 'unknown_price',
      firing: s.unknown_prices > 0,
      message:
        s.unknown_prices === 0
          ? `No event in the last ${UNKNOWN_PRICE_WINDOW_HOURS} h named a price the catalog does not know`
          : `${s.unknown_prices} event${s.unknown_prices === 1 ? '' : 's'} in the last ${UNKNOWN_PRICE_WINDOW_HOURS} h named a price the catalog does not know${s.unknown_price_ids?.length ? ` (${s.unknown_price_ids.join(', ')})` : ''}${s.unknown_objects?.length ? `, for ${s.unknown_objects.join(', ')}` : ''}: it unlocks nothing; add it to the catalog or move those customers`,
    },
    {
      name: 'sync_drift',
      firing: syncDrift !== null && syncDrift > 0,
      message:
        syncDrift === null
          ? 'No subscription sync has run'
          : `The last subscription sync found ${syncDrift} subscription${syncDrift === 1 ? '' : 's'} differing from Stripe`,
    },
    {
      name: 'no_deliveries',
      firing: s.silent && s.active_subscriptions,
      message: `No webhook delivery in ${source.ALERT_NO_DELIVERY_HOURS} h while subscriptions are active: is the endpoint reachable and enabled?`,
    },
  ];
}
