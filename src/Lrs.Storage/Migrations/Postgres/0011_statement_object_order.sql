-- 0011: the statements about one activity, newest first, without visiting the others.
--
-- object_hash is hashtextextended(key, tenant_id) of the statement's object activity key (o|IRI): its own, or the one it
-- inherited along its StatementRef chain (a statement carries at most one). An index orders each activity's statements by
-- stored, carrying their key hashes and whether they are voided as the stored-order index does, so that ?activity=…
-- (with a verb, an agent or a registration, or without) reads that activity's entries newest first and stops at the end
-- of the page, instead of walking every statement of the tenant or sorting all of the activity's. As with key_hashes, the
-- hash only finds candidates: the query checks the keys themselves.
--
-- The column is computed in a rewrite of the table (under a minute per million statements), not by an UPDATE, which would
-- leave a dead copy of every row behind.
CREATE OR REPLACE FUNCTION pg_temp.lrs_object_hash(keys text[], tenant bigint) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS $$ SELECT hashtextextended(k, tenant) FROM unnest(keys) AS k WHERE left(k, 2) = 'o|' LIMIT 1 $$;
ALTER TABLE statements ADD COLUMN object_hash text;
ALTER TABLE statements ALTER COLUMN object_hash TYPE bigint USING pg_temp.lrs_object_hash(keys, tenant_id);
DROP FUNCTION pg_temp.lrs_object_hash(text[], bigint);
UPDATE statements s SET object_hash = hashtextextended(i.key, s.tenant_id)
    FROM statement_index i WHERE i.tenant_id = s.tenant_id AND i.seq = s.seq AND left(i.key, 2) = 'o|';
CREATE INDEX ix_statements_object ON statements (tenant_id, object_hash, stored, seq) INCLUDE (voided, key_hashes)
    WHERE object_hash IS NOT NULL;
