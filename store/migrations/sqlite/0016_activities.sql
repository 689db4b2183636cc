-- The plan's 主要形式 as the year's activities: one per form and year, its
-- dates (the plan's fixed days, or set by the office), status, summary and
-- evidence, and the pieces that reported it.
CREATE TABLE activities (
    id         INTEGER PRIMARY KEY,
    year       INTEGER NOT NULL,
    form       INTEGER NOT NULL,               -- the plan's form number
    first_day  TEXT    NOT NULL DEFAULT '',    -- YYYY-MM-DD, '' until set
    last_day   TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'running', 'done')),
    summary    TEXT    NOT NULL DEFAULT '',
    updated_by INTEGER REFERENCES users (id),
    updated_at TEXT    NOT NULL,
    UNIQUE (year, form)
);

CREATE TABLE activity_files (
    id           INTEGER PRIMARY KEY,
    activity_id  INTEGER NOT NULL REFERENCES activities (id),
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT    NOT NULL
);
CREATE INDEX activity_files_activity ON activity_files (activity_id);

-- A piece may report an activity.
ALTER TABLE pieces ADD COLUMN activity_id INTEGER REFERENCES activities (id);
CREATE INDEX pieces_activity ON pieces (activity_id) WHERE activity_id IS NOT NULL;
