-- kexuan schema 1 (SQLite): plans, departments, publications (adoption records).

CREATE TABLE plans (
    year            INTEGER PRIMARY KEY,
    document_number TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    source          TEXT    NOT NULL,            -- the plan file, as loaded
    loaded_at       TEXT    NOT NULL
);

CREATE TABLE departments (
    id   INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

-- One row per appearance of a piece in a channel.
CREATE TABLE publications (
    id            INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    channel       TEXT    NOT NULL,
    day           TEXT    NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    title         TEXT    NOT NULL CHECK (title <> ''),
    outlet        TEXT    NOT NULL DEFAULT '',
    words         INTEGER NOT NULL CHECK (words >= 0),
    body          TEXT    NOT NULL DEFAULT '',
    counted       INTEGER NOT NULL DEFAULT 1,    -- 0 while outside coverage awaits verification
    source        TEXT    NOT NULL DEFAULT 'import',
    created_at    TEXT    NOT NULL,
    -- 16 bytes of SHA-256 over (department, channel, day, title, outlet): the
    -- identity that makes an import idempotent, kept small so inserts stay fast.
    identity      BLOB    NOT NULL
);

-- Named, so that a bulk import can drop and rebuild it inside its transaction.
CREATE UNIQUE INDEX publications_identity ON publications (identity);
