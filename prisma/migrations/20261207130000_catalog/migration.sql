-- The catalog's subscription state, read from the subscription object under the same ordering guard:
-- seats, trial, cancellation dates, the schedule of a pending change, and an invoice awaiting the
-- customer's confirmation (3-D Secure and the like).
ALTER TABLE "user_subscriptions"
  ADD COLUMN "quantity" INTEGER,
  ADD COLUMN "trial_end" TIMESTAMPTZ(3),
  ADD COLUMN "cancel_at" TIMESTAMPTZ(3),
  ADD COLUMN "canceled_at" TIMESTAMPTZ(3),
  ADD COLUMN "ended_at" TIMESTAMPTZ(3),
  ADD COLUMN "stripe_schedule_id" TEXT,
  ADD COLUMN "pending_plan" TEXT,
  ADD COLUMN "pending_price_id" TEXT,
  ADD COLUMN "pending_billing_period" TEXT,
  ADD COLUMN "pending_quantity" INTEGER,
  ADD COLUMN "pending_change_at" TIMESTAMPTZ(3),
  ADD COLUMN "schedule_event_at" TIMESTAMPTZ(3),
  ADD COLUMN "payment_action_invoice_id" TEXT,
  ADD COLUMN "payment_action_url" TEXT,
  ADD COLUMN "last_paid_invoice_id" TEXT;

-- The admin page lists the prices the catalog does not know.
CREATE INDEX "user_subscriptions_unknown_price_idx" ON "user_subscriptions"("stripe_price_id") WHERE plan = 'unknown';
