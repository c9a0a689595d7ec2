-- 0005: follow-up of effects. The kind of employer of an organisation (municipal, private, regional), and learning
-- centres with their program logic, kept as the JSON document the API reads and writes.
ALTER TABLE organisations ADD COLUMN kind text;
CREATE TABLE learning_centres (
    tenant_id bigint NOT NULL,
    id text NOT NULL,
    iri text NOT NULL,
    document jsonb NOT NULL,
    updated timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id));
CREATE UNIQUE INDEX ux_learning_centres_iri ON learning_centres(tenant_id, iri);
