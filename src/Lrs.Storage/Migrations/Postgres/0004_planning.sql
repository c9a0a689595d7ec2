-- 0004: competence planning. A unit's deviation reports (each also an xAPI statement), its development plans, and each
-- person's training plan. Plans are JSON documents checked by the API; the columns are what queries select on.
-- Dates without time (a deviation's date) are ISO text, which sorts as dates do.
CREATE TABLE unit_deviations (
    tenant_id bigint NOT NULL,
    id uuid NOT NULL,
    unit_id text NOT NULL,
    statement_id uuid NOT NULL,
    occurred_on text NOT NULL,
    category text NOT NULL,
    reference text NOT NULL,
    competences jsonb NOT NULL,
    plan_id text,
    plan_row text,
    recorded timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id));
CREATE INDEX ix_unit_deviations_unit ON unit_deviations (tenant_id, unit_id, occurred_on);
CREATE TABLE unit_plans (
    tenant_id bigint NOT NULL,
    unit_id text NOT NULL,
    id text NOT NULL,
    document jsonb NOT NULL,
    version bigint NOT NULL,
    updated timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, unit_id, id));
CREATE TABLE training_plans (
    tenant_id bigint NOT NULL,
    person_id text NOT NULL,
    document jsonb NOT NULL,
    version bigint NOT NULL,
    updated timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, person_id));
