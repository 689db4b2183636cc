-- 《金科文汇》: issues (2017年第N期) composed of items in the plan's journal
-- sections — an approved piece or outside material — reviewed by the leader
-- of the journal's lead department, then 印发.
CREATE TABLE journal_issues (
    id           INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,
    number       INTEGER NOT NULL CHECK (number > 0),
    day          TEXT    NOT NULL,              -- the issue's date, YYYY-MM-DD
    editor       TEXT    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'review', 'published')),
    comment      TEXT    NOT NULL DEFAULT '',   -- the reviewer's, when sent back
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT    NOT NULL,
    reviewed_by  INTEGER REFERENCES users (id),
    published_at TEXT,
    UNIQUE (year, number)
);

CREATE TABLE journal_items (
    id       INTEGER PRIMARY KEY,
    issue_id INTEGER NOT NULL REFERENCES journal_issues (id),
    section  INTEGER NOT NULL CHECK (section >= 0),  -- index in the plan's journal sections
    position INTEGER NOT NULL,
    piece_id INTEGER REFERENCES pieces (id),
    title    TEXT    NOT NULL CHECK (title <> ''),
    source   TEXT    NOT NULL DEFAULT '',
    body     TEXT    NOT NULL                  -- sanitised HTML
);
CREATE INDEX journal_items_issue ON journal_items (issue_id, section, position);
