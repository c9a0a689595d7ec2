-- 0002: per-tenant privacy policy (erasure and retention) and the per-tenant key of the keyed hashes that erasure leaves
-- in the audit log and in pseudonyms. A tenant without a policy row has the default policy (erasure allowed, nothing culled).
CREATE TABLE privacy_policies (
    tenant_id bigint PRIMARY KEY,
    erasure text NOT NULL,
    retention jsonb NOT NULL,
    updated timestamptz NOT NULL);
CREATE TABLE privacy_keys (
    tenant_id bigint PRIMARY KEY,
    hash_key bytea NOT NULL,
    created timestamptz NOT NULL);
