-- An account's 企业微信 member id (成员 UserID): its application messages go
-- there, and 企业微信's web authorisation (网页授权) signs the account in by
-- it. One account per member.
ALTER TABLE users ADD COLUMN wecom_user TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_wecom_user ON users (wecom_user) WHERE wecom_user <> '';

-- The outbox takes 企业微信 application messages too (channel 'wecom', the
-- target a member id): SQLite changes a CHECK by rebuilding the table.
CREATE TABLE deliveries_new (
    id           INTEGER PRIMARY KEY,
    channel      TEXT    NOT NULL CHECK (channel IN ('email', 'webhook', 'wecom')),
    target       TEXT    NOT NULL,
    subject      TEXT    NOT NULL DEFAULT '',
    body         TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TEXT    NOT NULL,
    locked_until TEXT,
    sent_at      TEXT,
    failed_at    TEXT,
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    kind         TEXT    NOT NULL DEFAULT '',
    mentions     TEXT    NOT NULL DEFAULT ''
);
INSERT INTO deliveries_new (id, channel, target, subject, body, attempts, next_at, locked_until, sent_at, failed_at, last_error, created_at, kind, mentions)
    SELECT id, channel, target, subject, body, attempts, next_at, locked_until, sent_at, failed_at, last_error, created_at, kind, mentions FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (next_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;
