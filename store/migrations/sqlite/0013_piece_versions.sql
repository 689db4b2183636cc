-- What a piece said each time it was sent for review, so that the reviewer
-- of a returned piece sees what changed since (a text diff), and the piece
-- keeps the text each decision was made on.
CREATE TABLE piece_versions (
    id           INTEGER PRIMARY KEY,
    piece_id     INTEGER NOT NULL REFERENCES pieces (id),
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    submitted_by INTEGER NOT NULL REFERENCES users (id),
    submitted_at TEXT    NOT NULL
);
CREATE INDEX piece_versions_piece ON piece_versions (piece_id, id);
