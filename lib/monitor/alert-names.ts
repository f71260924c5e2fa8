import { z } from 'zod';

/** Every condition the monitor run evaluates, in the order the admin page and the answer list them. */
export const ALERT_NAMES = [
  'webhook_success_rate',
  'signature_failures',
  'duplicate_share',
  'failed_events',
  'reconcile_cursor_age',
  'unknown_price',
  'sync_drift',
  'no_deliveries',
  'stripe_endpoint_disabled',
  'stripe_endpoint_mismatch',
] as const;
export const alertName = z.enum(ALERT_NAMES);
export type AlertName = z.infer<typeof alertName>;

/** A condition as one run found it; `firing: null` means it could not be checked (state kept as it was). */
export type AlertFinding = { name: AlertName; firing: boolean | null; message: string };
