-- One index on publications where there were two. The identity (a hash of
-- department, channel, day, title and outlet) is unique exactly when
-- (department, day, identity) is, and that order also serves a department's
-- ledger by day: an import of a million rows sorts one index, not two.
DROP INDEX publications_ledger;
DROP INDEX publications_identity;
CREATE UNIQUE INDEX publications_identity ON publications (department_id, day, identity);

-- Only adoption records belong to a piece: an imported row (most of a
-- large table) has no entry to keep in the piece index.
DROP INDEX publications_piece;
CREATE INDEX publications_piece ON publications (piece_id) WHERE piece_id IS NOT NULL;
