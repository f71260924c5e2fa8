-- The timeline finds the events of a user by user_id, and by object id it needs only the events no user
-- was linked to (those of a subscription before an administrator linked it). Indexing only those
-- spares every linked delivery one index insert.
DROP INDEX IF EXISTS "stripe_webhook_events_object_id_idx";
CREATE INDEX "stripe_webhook_events_unlinked_object_id_idx" ON "stripe_webhook_events"("object_id") WHERE "user_id" IS NULL;
