-- kexuan schema 2 (SQLite): accounts, sessions, pieces and their review,
-- attachments, adoption records tied to pieces, and the audit log.

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT    NOT NULL UNIQUE,
    display_name         TEXT    NOT NULL,
    role                 TEXT    NOT NULL CHECK (role IN ('reporter', 'head', 'leader', 'chief', 'office', 'admin')),
    department_id        INTEGER REFERENCES departments (id),
    password_hash        TEXT    NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    disabled             INTEGER NOT NULL DEFAULT 0,
    demo                 INTEGER NOT NULL DEFAULT 0,
    password_changed_at  TEXT    NOT NULL,
    created_at           TEXT    NOT NULL
);

-- The departments an in-charge leader (分管局领导) oversees.
CREATE TABLE leader_departments (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    PRIMARY KEY (user_id, department_id)
);

CREATE TABLE sessions (
    token_hash   BLOB    PRIMARY KEY,      -- SHA-256 of the cookie value; the value itself is never stored
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE pieces (
    id            INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    author_id     INTEGER NOT NULL REFERENCES users (id),
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,          -- sanitised HTML
    words         INTEGER NOT NULL,
    themes        TEXT    NOT NULL DEFAULT '', -- comma-separated theme numbers
    channels      TEXT    NOT NULL DEFAULT '', -- comma-separated intended channel codes
    major         INTEGER NOT NULL DEFAULT 0,  -- 全局性重大事项
    state         TEXT    NOT NULL CHECK (state IN ('draft', 'submitted', 'leader_approved', 'approved', 'returned', 'adopted')),
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX pieces_department ON pieces (department_id, state);

-- Every transition of a piece: who, when, from, to, comment.
CREATE TABLE piece_events (
    id         INTEGER PRIMARY KEY,
    piece_id   INTEGER NOT NULL REFERENCES pieces (id),
    actor_id   INTEGER NOT NULL REFERENCES users (id),
    action     TEXT    NOT NULL,
    from_state TEXT    NOT NULL,
    to_state   TEXT    NOT NULL,
    comment    TEXT    NOT NULL DEFAULT '',
    at         TEXT    NOT NULL
);
CREATE INDEX piece_events_piece ON piece_events (piece_id);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    piece_id     INTEGER NOT NULL REFERENCES pieces (id),
    name         TEXT    NOT NULL,           -- the uploader's file name, for display only
    content_type TEXT    NOT NULL,           -- sniffed from the content
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT    NOT NULL
);
CREATE INDEX attachments_piece ON attachments (piece_id);

ALTER TABLE publications ADD COLUMN piece_id INTEGER REFERENCES pieces (id);
ALTER TABLE publications ADD COLUMN recorded_by INTEGER REFERENCES users (id);
ALTER TABLE publications ADD COLUMN verified_by INTEGER REFERENCES users (id);
ALTER TABLE publications ADD COLUMN evidence_id INTEGER REFERENCES attachments (id);
ALTER TABLE publications ADD COLUMN issue TEXT NOT NULL DEFAULT '';  -- issue number or URL
CREATE INDEX publications_piece ON publications (piece_id);

-- Append-only, hash-chained audit log.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,   -- RFC 3339 with offset
    user_id   INTEGER,
    username  TEXT    NOT NULL DEFAULT '',
    role      TEXT    NOT NULL DEFAULT '',
    address   TEXT    NOT NULL DEFAULT '',
    action    TEXT    NOT NULL,
    object    TEXT    NOT NULL DEFAULT '',
    result    TEXT    NOT NULL,
    reason    TEXT    NOT NULL DEFAULT '',
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
