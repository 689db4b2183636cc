-- The kind of notice a delivery carries (review, returned, remind, …): what
-- the system administrator sees of it — never its content.
ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT '';
