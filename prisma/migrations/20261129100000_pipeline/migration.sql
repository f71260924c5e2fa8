-- The start of the current billing period: a later period may end earlier (a switch from annual to
-- monthly restarts the period), an older one never moves the end back.
ALTER TABLE "user_subscriptions" ADD COLUMN "current_period_start" TIMESTAMPTZ(3);

-- When the subscription became past_due (null otherwise): the grace period counts from here.
ALTER TABLE "user_subscriptions" ADD COLUMN "past_due_since" TIMESTAMPTZ(3);

-- Redeliveries of an already processed event, counted per hour for the admin chart (the event row
-- keeps its own total in duplicate_deliveries).
CREATE TABLE "stripe_webhook_duplicates" (
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "stripe_webhook_duplicates_pkey" PRIMARY KEY ("hour")
);
