-- Delivery beyond the page: a user's e-mail (opt-in), a department's group
-- robot (企业微信 or 钉钉 webhook, its secret kept, never shown), the SMTP
-- settings, and the outbox of deliveries — durable jobs in this database,
-- leased so that one server sends each, retried with back-off.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN notify_email INTEGER NOT NULL DEFAULT 0;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE department_webhooks (
    department_id INTEGER PRIMARY KEY REFERENCES departments (id),
    kind          TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk')),
    url           TEXT NOT NULL,
    secret        TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL
);

CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    channel      TEXT    NOT NULL CHECK (channel IN ('email', 'webhook')),
    target       TEXT    NOT NULL,
    subject      TEXT    NOT NULL DEFAULT '',
    body         TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TEXT    NOT NULL,
    locked_until TEXT,
    sent_at      TEXT,
    failed_at    TEXT,
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;
