-- 0010: on PostgreSQL a statement's body changes from jsonb to text and the stored-order index carries the key hashes.
-- SQLite has always kept the body as text and has no key hashes: its schema does not change.
SELECT 1;
