-- The enterprises the bureau works with (visited, reached by 科技政策进百企)
-- and the parks they are in. An enterprise is known by its 统一社会信用代码
-- (GB 32100-2015, checked before it is stored, upper case): one row each.
CREATE TABLE parks (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (name <> '')
);

CREATE TABLE enterprises (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (name <> ''),
    credit_code TEXT NOT NULL UNIQUE CHECK (length(credit_code) = 18),
    park_id     INTEGER REFERENCES parks (id),
    address     TEXT NOT NULL DEFAULT '',
    contact     TEXT NOT NULL DEFAULT '',
    industry    TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- Lists page by name.
CREATE INDEX enterprises_name ON enterprises (name, id);
