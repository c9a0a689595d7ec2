-- The SQLite schema of commit 6163426 (the last unversioned one), as that code left a new database:
-- SqliteDatabase.Schema, then the columns of its AddedColumns list. Kept to test upgrades; never edit it.
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS tenants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (
    key TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    salt BLOB NOT NULL,
    iterations INTEGER NOT NULL,
    authority TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created INTEGER NOT NULL,
    revoked INTEGER);
CREATE INDEX IF NOT EXISTS ix_credentials_tenant ON credentials(tenant_id, key);
CREATE TABLE IF NOT EXISTS statements (
    seq INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    stored INTEGER NOT NULL,
    verb TEXT NOT NULL,
    registration TEXT,
    ref_target TEXT,
    is_voiding INTEGER NOT NULL,
    voided INTEGER NOT NULL DEFAULT 0,
    keys TEXT NOT NULL,
    body TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS ux_statements_id ON statements(tenant_id, id);
CREATE INDEX IF NOT EXISTS ix_statements_stored ON statements(tenant_id, stored, seq);
CREATE INDEX IF NOT EXISTS ix_statements_ref ON statements(tenant_id, ref_target) WHERE ref_target IS NOT NULL;
CREATE TABLE IF NOT EXISTS statement_index (
    tenant_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    src INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key, seq, src)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS activities (
    tenant_id INTEGER NOT NULL,
    iri TEXT NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (tenant_id, iri)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agent_names (
    tenant_id INTEGER NOT NULL,
    agent_key TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (tenant_id, agent_key, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS documents (
    tenant_id INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    activity_id TEXT NOT NULL,
    agent_key TEXT NOT NULL,
    registration TEXT NOT NULL,
    document_id TEXT NOT NULL,
    content BLOB NOT NULL,
    content_type TEXT NOT NULL,
    etag TEXT NOT NULL,
    updated INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind, activity_id, agent_key, registration, document_id));
CREATE TABLE IF NOT EXISTS attachments (
    tenant_id INTEGER NOT NULL,
    sha2 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    length INTEGER NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (tenant_id, sha2));
CREATE TABLE IF NOT EXISTS audit_log (
    tenant_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT,
    PRIMARY KEY (tenant_id, seq));
CREATE TABLE IF NOT EXISTS frameworks (
    tenant_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL,
    document TEXT NOT NULL,
    updated INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS evidence (
    tenant_id INTEGER NOT NULL,
    statement_id TEXT NOT NULL,
    competence_id TEXT NOT NULL,
    agent_key TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    achieved_at INTEGER NOT NULL,
    expires_at INTEGER,
    needs_signoff INTEGER NOT NULL,
    assessor TEXT,
    recorded INTEGER NOT NULL,
    retracted INTEGER,
    PRIMARY KEY (tenant_id, statement_id, competence_id, agent_key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_evidence_agent ON evidence(tenant_id, agent_key);
CREATE INDEX IF NOT EXISTS ix_evidence_recorded ON evidence(tenant_id, recorded);
CREATE INDEX IF NOT EXISTS ix_evidence_retracted ON evidence(tenant_id, retracted) WHERE retracted IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_evidence_expires ON evidence(tenant_id, expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS signoffs (
    tenant_id INTEGER NOT NULL,
    statement_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    signer_key TEXT NOT NULL,
    signed_at INTEGER NOT NULL,
    recorded INTEGER NOT NULL,
    retracted INTEGER,
    PRIMARY KEY (tenant_id, statement_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_signoffs_target ON signoffs(tenant_id, target_id);
CREATE INDEX IF NOT EXISTS ix_signoffs_changed ON signoffs(tenant_id, recorded);
CREATE TABLE IF NOT EXISTS organisations (
    tenant_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    hr_home_page TEXT,
    changed INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS org_units (
    tenant_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    name TEXT NOT NULL,
    changed INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_org_units_organisation ON org_units(tenant_id, organisation_id, id);
CREATE TABLE IF NOT EXISTS people (
    tenant_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    name TEXT,
    email TEXT,
    hsa_id TEXT,
    duties TEXT NOT NULL,
    changed INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_people_organisation ON people(tenant_id, organisation_id, id);
CREATE INDEX IF NOT EXISTS ix_people_changed ON people(tenant_id, changed);
CREATE TABLE IF NOT EXISTS person_agents (
    tenant_id INTEGER NOT NULL,
    agent_key TEXT NOT NULL,
    person_id TEXT NOT NULL,
    agent TEXT NOT NULL,
    PRIMARY KEY (tenant_id, agent_key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_person_agents_person ON person_agents(tenant_id, person_id, agent);
CREATE TABLE IF NOT EXISTS person_assignments (
    tenant_id INTEGER NOT NULL,
    person_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    valid_from INTEGER NOT NULL,
    valid_to INTEGER,
    PRIMARY KEY (tenant_id, person_id, kind, value, valid_from)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_person_assignments_current ON person_assignments(tenant_id, kind, value, person_id, valid_to) WHERE valid_to IS NULL;
CREATE TABLE IF NOT EXISTS reflection_tasks (
    tenant_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    template_id TEXT NOT NULL,
    agent_key TEXT NOT NULL,
    subject TEXT NOT NULL,
    registration TEXT NOT NULL,
    statement_id TEXT NOT NULL,
    agent TEXT NOT NULL,
    training TEXT,
    triggered_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    status TEXT NOT NULL,
    answered_at INTEGER,
    shared INTEGER NOT NULL,
    meeting_id TEXT,
    PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS ux_reflection_tasks_once ON reflection_tasks(tenant_id, template_id, subject, registration);
CREATE INDEX IF NOT EXISTS ix_reflection_tasks_agent ON reflection_tasks(tenant_id, agent_key);
CREATE INDEX IF NOT EXISTS ix_reflection_tasks_statement ON reflection_tasks(tenant_id, statement_id);
CREATE INDEX IF NOT EXISTS ix_reflection_tasks_updated ON reflection_tasks(tenant_id, updated, id);
CREATE TABLE IF NOT EXISTS reflection_answers (
    tenant_id INTEGER NOT NULL,
    task_id TEXT NOT NULL,
    prompt_id TEXT NOT NULL,
    statement_id TEXT NOT NULL,
    response TEXT NOT NULL,
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, task_id, prompt_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_reflection_answers_statement ON reflection_answers(tenant_id, statement_id);
CREATE TABLE IF NOT EXISTS group_reflections (
    tenant_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    held_at INTEGER NOT NULL,
    facilitator TEXT NOT NULL,
    templates TEXT NOT NULL,
    attendees TEXT NOT NULL,
    notes TEXT,
    recorded INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_group_reflections_unit ON group_reflections(tenant_id, unit_id, held_at);
CREATE TABLE IF NOT EXISTS sessions (
    tenant_id INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    id TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    registration TEXT NOT NULL,
    definition TEXT NOT NULL,
    updated INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_sessions_start ON sessions(tenant_id, kind, start_at, id);
CREATE TABLE IF NOT EXISTS session_participants (
    tenant_id INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    participant TEXT NOT NULL,
    person_id TEXT,
    organisation_id TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind, session_id, participant)) WITHOUT ROWID;
ALTER TABLE credentials ADD COLUMN expires INTEGER;
ALTER TABLE credentials ADD COLUMN organisation TEXT;
ALTER TABLE credentials ADD COLUMN actor TEXT;
ALTER TABLE credentials ADD COLUMN registration TEXT;
