-- 0009: on PostgreSQL, a statement's own index keys move from statement_index rows to a GIN index over hashes in the
-- statement row. SQLite has no such index: it keeps every key as a statement_index row, and its schema does not change.
SELECT 1;
