-- Monitoring: the alert state the monitor run keeps, the hourly event counts the metrics read, and
-- the indexes that keep a scrape and the alert checks cheap with millions of event rows.

-- One row per alert condition. firing is what the last run found, notified what the alert
-- receiver was last told. A run claims a difference (claimed_until) before posting, so overlapping
-- runs and several instances post each start and each clear once, a failed post is retried next run.
CREATE TABLE "stripe_monitor_alerts" (
    "name" TEXT NOT NULL,
    "firing" BOOLEAN NOT NULL DEFAULT false,
    "notified" BOOLEAN NOT NULL DEFAULT false,
    "message" TEXT NOT NULL DEFAULT '',
    "since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claim_token" TEXT,
    "claimed_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_monitor_alerts_pkey" PRIMARY KEY ("name")
);

-- Events per received hour, type and outcome (processed, stale, ignored, failed), counted once an hour
-- is over, so the metrics never scan the events table and outlive the retention of the events. The row at
-- hour minus infinity holds what was folded out of rows older than the retention of the counters.
CREATE TABLE "stripe_webhook_event_counts" (
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "type" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,
    "unknown_price" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "stripe_webhook_event_counts_pkey" PRIMARY KEY ("hour", "type", "outcome")
);

-- How far stripe_webhook_event_counts reaches: every event received before counted_until is in it.
CREATE TABLE "stripe_monitor_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "counted_until" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_monitor_state_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "stripe_monitor_state_single_row" CHECK ("id" = 1)
);

-- The unknown-price alert reads the last day of such events without touching the others.
CREATE INDEX "stripe_webhook_events_unknown_price_received_at_idx" ON "stripe_webhook_events"("received_at") WHERE note = 'unknown_price';
