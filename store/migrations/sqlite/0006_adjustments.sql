-- The office's manual 加减分 (SCORING.md step 6): points in halves, so that
-- sums are exact; a reason always; undone only by a counter-adjustment that
-- names the one it reverses (once).
CREATE TABLE adjustments (
    id            INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    day           TEXT    NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    half_points   INTEGER NOT NULL CHECK (half_points <> 0),
    category      TEXT    NOT NULL DEFAULT '',
    reason        TEXT    NOT NULL CHECK (reason <> ''),
    reverses      INTEGER UNIQUE REFERENCES adjustments (id),
    created_by    INTEGER REFERENCES users (id),
    created_at    TEXT    NOT NULL
);
CREATE INDEX adjustments_day ON adjustments (day, id);
