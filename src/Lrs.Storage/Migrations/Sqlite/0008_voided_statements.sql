-- 0008: the voided statements of a tenant by id, for reads that keep a retracted evidence row or sign-off only when its
-- statement is voided (the same index as PostgreSQL's, where it spares a scan of every statement).
CREATE INDEX ix_statements_voided ON statements (tenant_id, id) WHERE voided;
