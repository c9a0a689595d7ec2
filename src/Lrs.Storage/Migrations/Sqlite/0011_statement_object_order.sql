-- 0011: on PostgreSQL each statement's object activity is hashed into a column with an index in stored order per activity.
-- SQLite finds statements by their keys' rows in statement_index, ordered by key: its schema does not change.
SELECT 1;
