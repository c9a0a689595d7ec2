-- 0003: events for other systems. The outbox (events, written in the transaction of the change they announce), the
-- competence status last announced per person and competence, which tasks were announced overdue, and webhook
-- subscriptions with their delivery position. SQLite has one writer, so commit order is seq order (txid stays 0).
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    txid INTEGER NOT NULL DEFAULT 0,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    organisation_id TEXT,
    person_id TEXT,
    occurred INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX ix_events_tenant ON events(tenant_id, txid, seq);
-- changes_at: when time alone may change the status (expiring, expired); the scheduled pass looks again then.
CREATE TABLE competence_statuses (
    tenant_id INTEGER NOT NULL,
    person_id TEXT NOT NULL,
    competence_id TEXT NOT NULL,
    status TEXT NOT NULL,
    changes_at INTEGER,
    PRIMARY KEY (tenant_id, person_id, competence_id)) WITHOUT ROWID;
CREATE INDEX ix_competence_statuses_changes ON competence_statuses(changes_at) WHERE changes_at IS NOT NULL;
ALTER TABLE reflection_tasks ADD COLUMN overdue_announced INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_reflection_tasks_due ON reflection_tasks(due_at) WHERE status = 'open' AND NOT overdue_announced;
-- The secret signs deliveries (HMAC), so it is kept as given, never shown after creation. after_txid/after_seq: the
-- position of the last event delivered (or passed over). lease_owner/lease_until: the node delivering it now.
CREATE TABLE webhook_subscriptions (
    tenant_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    url TEXT NOT NULL,
    types TEXT NOT NULL,
    organisation_id TEXT,
    secret TEXT NOT NULL,
    state TEXT NOT NULL,
    created INTEGER NOT NULL,
    after_txid INTEGER NOT NULL,
    after_seq INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    failing_since INTEGER,
    next_attempt INTEGER,
    last_error TEXT,
    last_error_at INTEGER,
    last_delivery INTEGER,
    lease_owner TEXT,
    lease_until INTEGER,
    PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
CREATE INDEX ix_webhook_subscriptions_due ON webhook_subscriptions(next_attempt) WHERE state = 'active';
