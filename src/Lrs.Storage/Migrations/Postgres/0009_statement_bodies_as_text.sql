-- 0009: statement bodies as text. The LRS validates and serialises every statement itself and never looks inside a stored
-- body with SQL, so having PostgreSQL parse each body into jsonb on insert (about 70 µs of its CPU for a 2 KB statement)
-- and print it back on every read bought nothing. A body is now kept as the LRS wrote it. The change rewrites the table
-- and its indexes: on a large store, apply it with an operator command (e.g. `tenants list`) before starting the LRS.
ALTER TABLE statements ALTER COLUMN body TYPE text USING body::text;
