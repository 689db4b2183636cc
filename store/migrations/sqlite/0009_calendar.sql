-- The plan's calendar: dates the office sets each year (科技活动周 and the
-- like) beside those the plan file gives; and each user's secret ICS feed
-- token (stored hashed; a new one replaces the old).
CREATE TABLE calendar_events (
    id         INTEGER PRIMARY KEY,
    year       INTEGER NOT NULL,
    title      TEXT    NOT NULL CHECK (title <> ''),
    first_day  TEXT    NOT NULL,
    last_day   TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at TEXT    NOT NULL
);
CREATE INDEX calendar_events_year ON calendar_events (year, first_day);

CREATE TABLE calendar_tokens (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id),
    token_hash BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
