-- Reconciliation with the Stripe Events API: one cursor per mode (test or live key), and the lease
-- that lets one run at a time hold it. A lease row, not an advisory lock: the run makes HTTP calls
-- between its statements, and a transaction-mode pooler keeps no session to hold a lock on.
CREATE TABLE "stripe_reconcile_state" (
    "mode" TEXT NOT NULL,
    -- The newest event fully handled, in the order Stripe lists (what `ending_before` continues from).
    "cursor_event_id" TEXT,
    "cursor_created_at" TIMESTAMPTZ(3),
    -- Every event created before this moment has been handled: the age of the cursor counts from here.
    "covered_until" TIMESTAMPTZ(3),
    "locked_until" TIMESTAMPTZ(3),
    "lock_token" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_reconcile_state_pkey" PRIMARY KEY ("mode")
);

-- One row per run that took the lease (a run that found another one running is not recorded).
CREATE TABLE "stripe_reconcile_runs" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "mode" TEXT NOT NULL DEFAULT 'test',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    -- running | completed | failed (the run itself stopped: Stripe unreachable, database down)
    "status" TEXT NOT NULL DEFAULT 'running',
    "fetched" INTEGER NOT NULL DEFAULT 0,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "already_processed" INTEGER NOT NULL DEFAULT 0,
    "stale" INTEGER NOT NULL DEFAULT 0,
    "ignored" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "cursor_event_id" TEXT,
    "cursor_created_at" TIMESTAMPTZ(3),
    "warning" TEXT,
    "error" TEXT,

    CONSTRAINT "stripe_reconcile_runs_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "stripe_reconcile_runs_started_at_idx" ON "stripe_reconcile_runs"("started_at" DESC);
