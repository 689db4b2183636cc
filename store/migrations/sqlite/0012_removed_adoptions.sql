-- Adoption records taken out of the score: the office rejected a
-- department's record, or deleted a wrong one. Kept with who, when and why,
-- so the piece still shows them and a score's change can be explained; the
-- record leaves publications (its identity may be recorded again, right).
CREATE TABLE removed_adoptions (
    id             INTEGER PRIMARY KEY,
    publication_id INTEGER NOT NULL,            -- the record's id while it was counted or pending
    piece_id      INTEGER REFERENCES pieces (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    channel       TEXT    NOT NULL,
    day           TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    outlet        TEXT    NOT NULL DEFAULT '',
    issue         TEXT    NOT NULL DEFAULT '',
    words         INTEGER NOT NULL,
    counted       INTEGER NOT NULL,             -- whether it counted until removed
    recorded_by   INTEGER REFERENCES users (id),
    recorded_at   TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('rejected', 'deleted')),
    reason        TEXT    NOT NULL CHECK (reason <> ''),
    removed_by    INTEGER NOT NULL REFERENCES users (id),
    removed_at    TEXT    NOT NULL
);
CREATE INDEX removed_adoptions_piece ON removed_adoptions (piece_id) WHERE piece_id IS NOT NULL;
