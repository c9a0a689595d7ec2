-- 0007: follow-up facts. What the follow-up figures read of a statement (a training, a deviation report, or a statement
-- about another statement such as a sign-off), one narrow row per non-voided statement keyed by its seq: written in the
-- statement's transaction, removed when it is voided, erased or expires, so that a follow-up reads a period's rows by
-- verb and time instead of every statement body. duration_ticks: result.duration in 100-nanosecond ticks;
-- context_activities: the context activity IRIs separated by U+001F. The LRS fills it from the statements already
-- stored right after this script, in the same transaction.
CREATE TABLE follow_up_facts (
    tenant_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    verb TEXT NOT NULL,
    at INTEGER NOT NULL,
    agent_key TEXT,
    activity TEXT,
    activity_type TEXT,
    ref_target TEXT,
    scaled REAL,
    duration_ticks INTEGER,
    session TEXT,
    context_activities TEXT NOT NULL,
    unit TEXT,
    category TEXT,
    PRIMARY KEY (tenant_id, seq));
CREATE INDEX ix_follow_up_facts_verb ON follow_up_facts(tenant_id, verb, at);
