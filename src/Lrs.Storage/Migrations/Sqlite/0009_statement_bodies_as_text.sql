-- 0009: statement bodies as text, as PostgreSQL's now are; SQLite's always were, so there is nothing to change here.
SELECT 1;
