-- In-app notices: what waits for a user (a piece to review, coverage to
-- verify), what happened to theirs (returned, not accepted), 催报 from the
-- office. Read once opened or marked; kept for the record.
CREATE TABLE notices (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    link       TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    read_at    TEXT
);
CREATE INDEX notices_user ON notices (user_id, id);
CREATE INDEX notices_unread ON notices (user_id) WHERE read_at IS NULL;
CREATE INDEX notices_about ON notices (link, kind) WHERE read_at IS NULL;
