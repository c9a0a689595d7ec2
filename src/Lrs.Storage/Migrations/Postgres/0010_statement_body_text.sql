-- 0010: statement reads that stop at a page, and a body kept as text.
--
-- A statement's body is kept as the text the LRS wrote, not as jsonb. No query reads into a stored statement (what queries
-- need is in its columns, its keys and follow_up_facts), so jsonb's parse on every insert and its conversion back to text
-- on every read bought nothing; the text is also smaller. The statement is served exactly as it was stored, as on SQLite.
--
-- The stored-order index carries each statement's key hashes and whether it is voided. A query for a key that many
-- statements carry (a course, a verb, the context of every answer) then reads that index newest first, checks each entry's
-- hashes there and stops at the end of the page, instead of visiting every matching row in the table to sort them. A rare
-- key is still found through the GIN index; PostgreSQL chooses by the keys' frequencies.
--
-- The table is rewritten once (under a minute per million statements).
ALTER TABLE statements ALTER COLUMN body TYPE text USING body::text;
DROP INDEX ix_statements_stored;
CREATE INDEX ix_statements_stored ON statements (tenant_id, stored, seq) INCLUDE (voided, key_hashes);
