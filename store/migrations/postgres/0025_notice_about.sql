-- What a notice is about when one event tells several people (a 催报, a
-- 约稿): the office sees how many of them have read it.
ALTER TABLE notices ADD COLUMN about TEXT NOT NULL DEFAULT '';
CREATE INDEX notices_event ON notices (about) WHERE about <> '';
