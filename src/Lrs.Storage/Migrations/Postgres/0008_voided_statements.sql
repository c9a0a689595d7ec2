-- 0008: the voided statements of a tenant by id. Reads that keep a retracted evidence row or sign-off only when its
-- statement is voided (the profile as of a date, follow-up's long term, goal progress) ask `EXISTS (… v.voided)` for many
-- rows at once; PostgreSQL answers that with one hashed scan of the voided statements, which without this index was a
-- sequential scan of every statement of every tenant as soon as one row was retracted (1.2 s at a million statements).
CREATE INDEX ix_statements_voided ON statements (tenant_id, id) WHERE voided;
