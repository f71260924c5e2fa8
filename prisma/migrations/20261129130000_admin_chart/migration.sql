-- The admin chart counts a week of events per hour and outcome from indexes alone: per status from
-- stripe_webhook_events_status_received_at_id_idx, and stale ones (processed, note 'stale') from this
-- partial index, so it never reads the table's rows. Only stale rows pay for it on insert.
CREATE INDEX "stripe_webhook_events_stale_received_at_idx" ON "stripe_webhook_events"("received_at") WHERE status = 'processed' AND note = 'stale';
