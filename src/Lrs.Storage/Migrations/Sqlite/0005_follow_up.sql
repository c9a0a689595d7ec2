-- 0005: follow-up of effects. The kind of employer of an organisation (municipal, private, regional), and learning
-- centres with their program logic, kept as the JSON document the API reads and writes.
ALTER TABLE organisations ADD COLUMN kind TEXT;
CREATE TABLE learning_centres (
    tenant_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    iri TEXT NOT NULL,
    document TEXT NOT NULL,
    updated INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
CREATE UNIQUE INDEX ux_learning_centres_iri ON learning_centres(tenant_id, iri);
