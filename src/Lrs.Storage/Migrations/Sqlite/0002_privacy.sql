-- 0002: per-tenant privacy policy (erasure and retention) and the per-tenant key of the keyed hashes that erasure leaves
-- in the audit log and in pseudonyms. A tenant without a policy row has the default policy (erasure allowed, nothing culled).
CREATE TABLE privacy_policies (
    tenant_id INTEGER PRIMARY KEY,
    erasure TEXT NOT NULL,
    retention TEXT NOT NULL,
    updated INTEGER NOT NULL);
CREATE TABLE privacy_keys (
    tenant_id INTEGER PRIMARY KEY,
    hash_key BLOB NOT NULL,
    created INTEGER NOT NULL);
