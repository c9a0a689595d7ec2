-- 0006: follow-up questions. A task of a follow-up template is put to the person some time after the training
-- (available_from; null for a task asked at once, i.e. at triggered_at), and its answer carries a score from 1 to 5.
ALTER TABLE reflection_tasks ADD COLUMN available_from INTEGER;
ALTER TABLE reflection_answers ADD COLUMN score REAL;
