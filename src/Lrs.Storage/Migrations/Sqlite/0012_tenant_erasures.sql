-- 0012: how many erasures each tenant has had. A node remembers which names of which agents it has recorded, so as not to
-- record them again with every statement; an erasure deletes a person's names. A batch reads the count before it writes,
-- and does not trust what its node remembers of another count: the person's next statement records their names again,
-- whichever node erased them.
ALTER TABLE tenants ADD COLUMN erasures bigint NOT NULL DEFAULT 0;
