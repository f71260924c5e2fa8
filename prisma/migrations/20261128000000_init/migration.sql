-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "email" TEXT,
    "stripe_customer_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_subscriptions" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "stripe_subscription_id" TEXT NOT NULL,
    "user_id" TEXT,
    "stripe_customer_id" TEXT,
    "stripe_price_id" TEXT,
    "plan" TEXT NOT NULL DEFAULT 'free',
    "billing_period" TEXT,
    "status" TEXT NOT NULL DEFAULT 'incomplete',
    "is_active" BOOLEAN NOT NULL DEFAULT false,
    "current_period_end" TIMESTAMPTZ(3),
    "cancel_at_period_end" BOOLEAN NOT NULL DEFAULT false,
    "last_event_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stripe_webhook_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT '',
    "api_version" TEXT,
    "livemode" BOOLEAN NOT NULL DEFAULT false,
    "stripe_created_at" TIMESTAMPTZ(3),
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL DEFAULT 'processed',
    "note" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "last_error" TEXT,
    "duplicate_deliveries" INTEGER NOT NULL DEFAULT 0,
    "object_id" TEXT,
    "user_id" TEXT,
    "payload" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "stripe_webhook_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stripe_webhook_rejections" (
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "reason" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "stripe_webhook_rejections_pkey" PRIMARY KEY ("hour","reason")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "users_stripe_customer_id_key" ON "users"("stripe_customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "user_subscriptions_stripe_subscription_id_key" ON "user_subscriptions"("stripe_subscription_id");

-- CreateIndex
CREATE INDEX "user_subscriptions_user_id_idx" ON "user_subscriptions"("user_id");

-- CreateIndex
CREATE INDEX "user_subscriptions_stripe_customer_id_idx" ON "user_subscriptions"("stripe_customer_id");

-- CreateIndex
CREATE INDEX "stripe_webhook_events_received_at_id_idx" ON "stripe_webhook_events"("received_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "stripe_webhook_events_status_received_at_id_idx" ON "stripe_webhook_events"("status", "received_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "stripe_webhook_events_type_received_at_id_idx" ON "stripe_webhook_events"("type", "received_at" DESC, "id" DESC);

-- Guard the enumerated columns (Prisma's schema language cannot express CHECK constraints).
ALTER TABLE "stripe_webhook_events" ADD CONSTRAINT "stripe_webhook_events_status_check"
    CHECK ("status" IN ('processed', 'ignored', 'failed'));
ALTER TABLE "user_subscriptions" ADD CONSTRAINT "user_subscriptions_billing_period_check"
    CHECK ("billing_period" IN ('monthly', 'annual'));
