-- Tokens for systems that call the API (the OA, a city's collector): each
-- acts as an account of its own (disabled for sign-in, so audit rows name
-- it) with only its scopes; only the token's hash is kept.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    token_hash   BLOB    NOT NULL UNIQUE,
    scopes       TEXT    NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_by   INTEGER REFERENCES users (id),   -- NULL: the command line
    created_at   TEXT    NOT NULL,
    expires_on   TEXT    NOT NULL DEFAULT '',     -- the last day it works, YYYY-MM-DD; '' never
    revoked_at   TEXT,
    last_used_at TEXT
);
-- A POST sent again with the same Idempotency-Key within a day gets the
-- first answer; the row is claimed before the work and filled after it.
CREATE TABLE idempotency_keys (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    key        TEXT    NOT NULL,
    request    TEXT    NOT NULL,                  -- method, path and the body's SHA-256
    status     INTEGER NOT NULL DEFAULT 0,        -- 0: being done
    body       TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    PRIMARY KEY (user_id, key)
);
