-- Sync: every subscription of the Stripe account read as an object (not replayed as events), its
-- drift from the stored rows, and what each run changed. The lease works as reconciliation does:
-- a row, not an advisory lock, since a run makes HTTP calls between statements and a
-- transaction-mode pooler keeps no session to hold a lock on.
CREATE TABLE "stripe_sync_state" (
    "mode" TEXT NOT NULL,
    "locked_until" TIMESTAMPTZ(3),
    "lock_token" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_sync_state_pkey" PRIMARY KEY ("mode")
);

-- One row per run that took the lease. A run stopped part-way (function timeout, crash) keeps the
-- last subscription it applied in cursor_subscription_id, and the next run continues after it.
CREATE TABLE "stripe_sync_runs" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "mode" TEXT NOT NULL DEFAULT 'test',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    -- running | completed | failed | interrupted (stopped part-way and continued by a later run)
    "status" TEXT NOT NULL DEFAULT 'running',
    "dry_run" BOOLEAN NOT NULL DEFAULT false,
    "fetched" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "drift" INTEGER NOT NULL DEFAULT 0,
    "unlinked" INTEGER NOT NULL DEFAULT 0,
    -- Subscriptions Stripe listed whose fields this app cannot read (skipped, logged).
    "failed" INTEGER NOT NULL DEFAULT 0,
    -- The last subscription applied, in the order Stripe lists (what `starting_after` continues from).
    "cursor_subscription_id" TEXT,
    -- The run this one continued (its cursor), if any.
    "resumed_from" TEXT,
    "error" TEXT,

    CONSTRAINT "stripe_sync_runs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "stripe_sync_runs_status_check" CHECK ("status" IN ('running', 'completed', 'failed', 'interrupted'))
);

CREATE INDEX "stripe_sync_runs_started_at_idx" ON "stripe_sync_runs"("started_at" DESC);

-- One row per field that differed between a stored subscription and Stripe, per run.
CREATE TABLE "stripe_sync_drift" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT NOT NULL,
    "stripe_subscription_id" TEXT NOT NULL,
    "user_id" TEXT,
    "field" TEXT NOT NULL,
    "stored" TEXT,
    "stripe" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_sync_drift_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "stripe_sync_drift_run_id_idx" ON "stripe_sync_drift"("run_id");
CREATE INDEX "stripe_sync_drift_stripe_subscription_id_idx" ON "stripe_sync_drift"("stripe_subscription_id");

-- The audit trail of a subscription besides the events of Stripe: each snapshot a sync applied (or found
-- stale) and each link made by an administrator, with what it changed. Kept apart from
-- stripe_webhook_events so that table stays one row per Stripe event: delivery counters, lag,
-- no-delivery-for-24-h, retention and Reprocess keep meaning what they say.
CREATE TABLE "stripe_subscription_changes" (
    "id" BIGSERIAL NOT NULL,
    "stripe_subscription_id" TEXT NOT NULL,
    "user_id" TEXT,
    -- sync | admin
    "source" TEXT NOT NULL,
    -- created | updated | stale (by a sync), linked (by an administrator)
    "outcome" TEXT NOT NULL,
    "note" TEXT,
    -- per changed field: stored value and Stripe value
    "changes" JSONB NOT NULL DEFAULT '{}',
    "run_id" TEXT,
    "actor_id" TEXT,
    -- When the snapshot was fetched, or when the administrator acted.
    "observed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_subscription_changes_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "stripe_subscription_changes_source_check" CHECK ("source" IN ('sync', 'admin'))
);

CREATE INDEX "stripe_subscription_changes_subscription_idx" ON "stripe_subscription_changes"("stripe_subscription_id", "created_at");
CREATE INDEX "stripe_subscription_changes_user_id_idx" ON "stripe_subscription_changes"("user_id", "created_at");

-- The timeline finds the events of a subscription by its object id.
CREATE INDEX "stripe_webhook_events_object_id_idx" ON "stripe_webhook_events"("object_id");
-- ... and the events of a user (checkout sessions and invoices carry no subscription id as object).
CREATE INDEX "stripe_webhook_events_user_id_idx" ON "stripe_webhook_events"("user_id") WHERE "user_id" IS NOT NULL;
