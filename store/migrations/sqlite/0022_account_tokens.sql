-- Single-use links and codes that let an account's holder set their own
-- password: an activation (a new account) or a reset. Kept hashed; valid
-- until expires_at; used once.
CREATE TABLE account_tokens (
    token_hash BLOB    NOT NULL PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('activate', 'reset')),
    created_by INTEGER,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT
);
CREATE INDEX account_tokens_user ON account_tokens (user_id);
