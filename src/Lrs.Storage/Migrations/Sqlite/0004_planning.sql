-- 0004: competence planning. A unit's deviation reports (each also an xAPI statement), its development plans, and each
-- person's training plan. Plans are JSON documents checked by the API; the columns are what queries select on.
-- Dates without time (a deviation's date) are ISO text, which sorts as dates do.
CREATE TABLE unit_deviations (
    tenant_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    statement_id TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    category TEXT NOT NULL,
    reference TEXT NOT NULL,
    competences TEXT NOT NULL,
    plan_id TEXT,
    plan_row TEXT,
    recorded INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
CREATE INDEX ix_unit_deviations_unit ON unit_deviations(tenant_id, unit_id, occurred_on);
CREATE TABLE unit_plans (
    tenant_id INTEGER NOT NULL,
    unit_id TEXT NOT NULL,
    id TEXT NOT NULL,
    document TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, unit_id, id)) WITHOUT ROWID;
CREATE TABLE training_plans (
    tenant_id INTEGER NOT NULL,
    person_id TEXT NOT NULL,
    document TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, person_id)) WITHOUT ROWID;
