-- 0009: a statement's own index keys are found through the statement row instead of one statement_index row each.
-- key_hashes holds hashtextextended(key, tenant_id) of every key the statement carries, its own (the keys column) and
-- those it inherited along its StatementRef chain (rows of statement_index); one GIN index over it, with a pending list,
-- costs a fraction of the B-tree insertions of eight or so text rows per statement. The hashes only find candidates:
-- every query checks the keys themselves (the keys column, or statement_index for inherited keys), so a collision never
-- matches a statement it should not. statement_index now holds only inherited keys (src <> seq).
-- The pending list is kept small (128 kB, about a thousand keys): the insert that fills it merges it into the index, and
-- every search of the index reads all of it.
ALTER TABLE statement_index RENAME TO statement_index_all;
ALTER INDEX statement_index_pkey RENAME TO statement_index_all_pkey;
CREATE TABLE statement_index (
    tenant_id bigint NOT NULL,
    key text NOT NULL,
    seq bigint NOT NULL,
    src bigint NOT NULL,
    PRIMARY KEY (tenant_id, key, seq, src));
INSERT INTO statement_index SELECT tenant_id, key, seq, src FROM statement_index_all WHERE src <> seq;
DROP TABLE statement_index_all;
CREATE INDEX ix_statement_index_seq ON statement_index (tenant_id, seq);
ALTER TABLE statements ADD COLUMN key_hashes bigint[];
UPDATE statements s SET key_hashes = ARRAY(
    SELECT hashtextextended(k, s.tenant_id) FROM unnest(s.keys) AS k
    UNION SELECT hashtextextended(i.key, s.tenant_id) FROM statement_index i WHERE i.tenant_id = s.tenant_id AND i.seq = s.seq);
ALTER TABLE statements ALTER COLUMN key_hashes SET NOT NULL;
CREATE INDEX ix_statements_key_hashes ON statements USING gin (key_hashes) WITH (fastupdate = on, gin_pending_list_limit = 128);
