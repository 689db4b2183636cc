-- 约稿: the office or a leader commissions a piece from a department (theme,
-- channel, deadline, notes) until a piece of it fulfils the commission.
CREATE TABLE commissions (
    id            INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    title         TEXT    NOT NULL CHECK (title <> ''),
    theme         INTEGER NOT NULL DEFAULT 0,
    channel       TEXT    NOT NULL DEFAULT '',
    due           TEXT    NOT NULL,                -- YYYY-MM-DD
    notes         TEXT    NOT NULL DEFAULT '',
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    TEXT    NOT NULL,
    piece_id      INTEGER REFERENCES pieces (id),      -- the piece that fulfils it
    fulfilled_at  TEXT
);
CREATE INDEX commissions_department ON commissions (department_id, due, id);

-- 批示: a leader's instruction on a piece, an adoption record or an activity.
CREATE TABLE instructions (
    id         INTEGER PRIMARY KEY,
    object     TEXT    NOT NULL,                   -- piece:12, publication:5, activity:3
    text       TEXT    NOT NULL CHECK (text <> ''),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL
);
CREATE INDEX instructions_object ON instructions (object, id);
