-- The office's register of issued documents (发文登记): a 通报 takes the
-- next free number of its year when it is first issued and keeps it when it
-- is issued again; one number, one document (UNIQUE year, seq) and one
-- document per period (UNIQUE kind, period), across servers.
CREATE TABLE documents (
    id         INTEGER PRIMARY KEY,
    year       INTEGER NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq > 0),
    number     TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    period     TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    dated      TEXT    NOT NULL CHECK (dated GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'), -- 成文日期
    issued_by  INTEGER REFERENCES users (id),   -- NULL: the command line
    issued_at  TEXT    NOT NULL,
    UNIQUE (year, seq),
    UNIQUE (kind, period)
);
