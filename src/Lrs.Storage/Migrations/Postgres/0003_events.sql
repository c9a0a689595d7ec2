-- 0003: events for other systems. The outbox (events, written in the transaction of the change they announce), the
-- competence status last announced per person and competence, which tasks were announced overdue, and webhook
-- subscriptions with their delivery position.
-- txid is the writing transaction's id: readers take events in (txid, seq) order, and only from transactions older than
-- every transaction still running, so an event committed late never lands behind a reader's cursor.
CREATE TABLE events (
    tenant_id bigint NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    txid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    id uuid NOT NULL,
    type text NOT NULL,
    organisation_id text,
    person_id text,
    occurred timestamptz NOT NULL,
    data jsonb NOT NULL,
    PRIMARY KEY (tenant_id, txid, seq));
-- changes_at: when time alone may change the status (expiring, expired); the scheduled pass looks again then.
CREATE TABLE competence_statuses (
    tenant_id bigint NOT NULL,
    person_id text NOT NULL,
    competence_id text NOT NULL,
    status text NOT NULL,
    changes_at timestamptz,
    PRIMARY KEY (tenant_id, person_id, competence_id));
CREATE INDEX ix_competence_statuses_changes ON competence_statuses (changes_at) WHERE changes_at IS NOT NULL;
ALTER TABLE reflection_tasks ADD COLUMN overdue_announced boolean NOT NULL DEFAULT false;
CREATE INDEX ix_reflection_tasks_due ON reflection_tasks (due_at) WHERE status = 'open' AND NOT overdue_announced;
-- The secret signs deliveries (HMAC), so it is kept as given, never shown after creation. after_txid/after_seq: the
-- position of the last event delivered (or passed over). lease_owner/lease_until: the node delivering it now.
CREATE TABLE webhook_subscriptions (
    tenant_id bigint NOT NULL,
    id uuid NOT NULL,
    url text NOT NULL,
    types text NOT NULL,
    organisation_id text,
    secret text NOT NULL,
    state text NOT NULL,
    created timestamptz NOT NULL,
    after_txid bigint NOT NULL,
    after_seq bigint NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    failing_since timestamptz,
    next_attempt timestamptz,
    last_error text,
    last_error_at timestamptz,
    last_delivery timestamptz,
    lease_owner text,
    lease_until timestamptz,
    PRIMARY KEY (tenant_id, id));
CREATE INDEX ix_webhook_subscriptions_due ON webhook_subscriptions (next_attempt) WHERE state = 'active';
