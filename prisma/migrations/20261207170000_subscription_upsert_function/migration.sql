-- The guarded subscription upsert as functions PostgreSQL plans once per connection: the webhook's
-- statement (and sync's) calls it instead of carrying the whole upsert, so each delivery no longer
-- parses and plans it. Functions live in the database, not the session, so this is pooler-safe.
-- The rules are documented in lib/billing/subscriptions/upsert-subscription.ts, which calls them.
-- Bodies are E'' strings with semicolons written \073: the migration runner splits a script at every semicolon.

-- The billing period's end after an observation: a later period replaces it (even ending earlier),
-- the same period can only be extended, an older one changes nothing. Inlined where it is used.
CREATE FUNCTION "billing_advanced_period_end"(stored_start TIMESTAMPTZ, stored_end TIMESTAMPTZ, new_start TIMESTAMPTZ, new_end TIMESTAMPTZ)
RETURNS TIMESTAMPTZ LANGUAGE sql IMMUTABLE AS E'
  SELECT CASE
    WHEN new_start > stored_start THEN COALESCE(new_end, stored_end)
    WHEN new_start < stored_start THEN stored_end
    ELSE GREATEST(stored_end, new_end) END';

-- Writes a subscription snapshot unless the stored row is terminal or newer (see upsert-subscription.ts):
-- returns the row's user when it was written, nothing when it was refused. The caller computes every
-- value: new_past_due_since is set only with the status past_due, and both arrays are always given
-- (the terminal statuses and the lifecycle order of upsert-subscription.ts).
-- Called from a CTE, it runs only when the statement reads that CTE (a SELECT, unlike an INSERT CTE).
CREATE FUNCTION "billing_upsert_subscription"(
  new_subscription_id TEXT, new_user_id TEXT, new_customer_id TEXT, new_price_id TEXT, new_plan TEXT,
  new_billing_period TEXT, new_status TEXT, new_is_active BOOLEAN, new_period_start TIMESTAMPTZ,
  new_period_end TIMESTAMPTZ, new_cancel_at_period_end BOOLEAN, new_past_due_since TIMESTAMPTZ,
  observed_at TIMESTAMPTZ, new_quantity INTEGER, new_trial_end TIMESTAMPTZ, new_cancel_at TIMESTAMPTZ,
  new_canceled_at TIMESTAMPTZ, new_ended_at TIMESTAMPTZ, new_schedule_id TEXT,
  previous_status TEXT, terminal_statuses TEXT[], status_order TEXT[]
) RETURNS TABLE (applied_user_id TEXT) LANGUAGE plpgsql ROWS 1 AS E'
BEGIN
  RETURN QUERY
  INSERT INTO user_subscriptions AS s (
    stripe_subscription_id, user_id, stripe_customer_id, stripe_price_id, plan, billing_period,
    status, is_active, current_period_start, current_period_end, cancel_at_period_end, past_due_since, last_event_at,
    quantity, trial_end, cancel_at, canceled_at, ended_at, stripe_schedule_id
  )
  SELECT
    new_subscription_id,
    COALESCE(new_user_id, (SELECT u.id FROM users u WHERE u.stripe_customer_id = new_customer_id)),
    new_customer_id, new_price_id, new_plan, new_billing_period, new_status, new_is_active,
    new_period_start, new_period_end, new_cancel_at_period_end, new_past_due_since, observed_at,
    new_quantity, new_trial_end, new_cancel_at, new_canceled_at, new_ended_at, new_schedule_id
  ON CONFLICT (stripe_subscription_id) DO UPDATE SET
    user_id = COALESCE(EXCLUDED.user_id, s.user_id),
    stripe_customer_id = EXCLUDED.stripe_customer_id,
    stripe_price_id = EXCLUDED.stripe_price_id,
    plan = EXCLUDED.plan,
    billing_period = EXCLUDED.billing_period,
    status = EXCLUDED.status,
    is_active = EXCLUDED.is_active,
    current_period_end = billing_advanced_period_end(s.current_period_start, s.current_period_end, EXCLUDED.current_period_start, EXCLUDED.current_period_end),
    current_period_start = GREATEST(s.current_period_start, EXCLUDED.current_period_start),
    cancel_at_period_end = EXCLUDED.cancel_at_period_end,
    past_due_since = CASE WHEN EXCLUDED.past_due_since IS NOT NULL THEN COALESCE(s.past_due_since, EXCLUDED.past_due_since) END,
    last_event_at = EXCLUDED.last_event_at,
    quantity = EXCLUDED.quantity,
    trial_end = EXCLUDED.trial_end,
    cancel_at = EXCLUDED.cancel_at,
    canceled_at = EXCLUDED.canceled_at,
    ended_at = EXCLUDED.ended_at,
    -- A schedule event newer than this observation knows better what is pending.
    stripe_schedule_id = CASE WHEN COALESCE(s.schedule_event_at > EXCLUDED.last_event_at, false) THEN s.stripe_schedule_id ELSE EXCLUDED.stripe_schedule_id END,
    -- A pending change stays while the subscription names a schedule, or a newer schedule event set it.
    (pending_plan, pending_price_id, pending_billing_period, pending_quantity, pending_change_at) = (
      SELECT s.pending_plan, s.pending_price_id, s.pending_billing_period, s.pending_quantity, s.pending_change_at
      WHERE EXCLUDED.stripe_schedule_id IS NOT NULL OR COALESCE(s.schedule_event_at > EXCLUDED.last_event_at, false)),
    updated_at = now()
  WHERE s.status <> ALL(terminal_statuses)
    AND (s.last_event_at IS NULL
      OR s.last_event_at < EXCLUDED.last_event_at
      OR (s.last_event_at = EXCLUDED.last_event_at
        AND (s.status = previous_status
          OR COALESCE(array_position(status_order, EXCLUDED.status), 0) >= COALESCE(array_position(status_order, s.status), 0))))
  RETURNING s.user_id\073
END';
