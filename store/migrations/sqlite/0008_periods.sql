-- Closed periods: a month (2017-03) or a year (2017) the office closed, with
-- the report as of its last day frozen as a snapshot (JSON, as
-- `kexuan report --format json` prints it). A later change dated on or before
-- that day needs a reason and is recorded as corrections against it;
-- reopening (the chief, with a reason) keeps the row, stamped.
CREATE TABLE periods (
    id            INTEGER PRIMARY KEY,
    period        TEXT    NOT NULL,
    year          INTEGER NOT NULL,
    last_day      TEXT    NOT NULL,
    closed_at     TEXT    NOT NULL,
    closed_by     INTEGER REFERENCES users (id),
    closed_name   TEXT    NOT NULL DEFAULT '',
    reason        TEXT    NOT NULL DEFAULT '',
    snapshot      TEXT    NOT NULL,
    reopened_at   TEXT,
    reopened_by   INTEGER REFERENCES users (id),
    reopen_reason TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX periods_closed ON periods (period) WHERE reopened_at IS NULL;

CREATE TABLE corrections (
    id         INTEGER PRIMARY KEY,
    period_id  INTEGER NOT NULL REFERENCES periods (id),
    department TEXT NOT NULL,
    field      TEXT NOT NULL,
    before     REAL NOT NULL,
    after      REAL NOT NULL,
    reason     TEXT NOT NULL,
    at         TEXT NOT NULL,
    by_user    INTEGER REFERENCES users (id),
    by_name    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX corrections_period ON corrections (period_id, id);
