-- 0007: follow-up facts. What the follow-up figures read of a statement (a training, a deviation report, or a statement
-- about another statement such as a sign-off), one narrow row per non-voided statement keyed by its seq: written in the
-- statement's transaction, removed when it is voided, erased or expires, so that a follow-up reads a period's rows by
-- verb and time instead of every statement body. duration_ticks: result.duration in 100-nanosecond ticks;
-- context_activities: the context activity IRIs separated by U+001F. The LRS fills it from the statements already
-- stored right after this script, in the same transaction.
CREATE TABLE follow_up_facts (
    tenant_id bigint NOT NULL,
    seq bigint NOT NULL,
    id uuid NOT NULL,
    verb text NOT NULL,
    at timestamptz NOT NULL,
    agent_key text,
    activity text,
    activity_type text,
    ref_target uuid,
    scaled double precision,
    duration_ticks bigint,
    session text,
    context_activities text NOT NULL,
    unit text,
    category text,
    PRIMARY KEY (tenant_id, seq));
CREATE INDEX ix_follow_up_facts_verb ON follow_up_facts (tenant_id, verb, at);
