-- kexuan: foreign keys off
-- Security (等保 level 3): three administrators (系统管理员, 安全管理员,
-- 审计管理员), a second factor with recovery codes, password history,
-- personal data sealed at rest, and an audit log whose oldest entries can be
-- archived to a signed file.
--
-- SQLite cannot change a CHECK constraint in place: users is rebuilt (with
-- foreign keys off for this migration, checked before it commits).
CREATE TABLE users_new (
    id                   INTEGER PRIMARY KEY,
    username             TEXT    NOT NULL UNIQUE,
    display_name         TEXT    NOT NULL,
    role                 TEXT    NOT NULL CHECK (role IN ('reporter', 'head', 'leader', 'chief', 'office', 'admin', 'security', 'auditor', 'pending')),
    department_id        INTEGER REFERENCES departments (id),
    password_hash        TEXT    NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    disabled             INTEGER NOT NULL DEFAULT 0,
    demo                 INTEGER NOT NULL DEFAULT 0,
    password_changed_at  TEXT    NOT NULL,
    created_at           TEXT    NOT NULL,
    email                TEXT    NOT NULL DEFAULT '',
    notify_email         INTEGER NOT NULL DEFAULT 0,
    phone                TEXT    NOT NULL DEFAULT '',
    totp_secret          TEXT    NOT NULL DEFAULT '',
    totp_enabled         INTEGER NOT NULL DEFAULT 0,
    totp_last_step       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_new (id, username, display_name, role, department_id, password_hash, must_change_password, failed_logins,
    locked_until, disabled, demo, password_changed_at, created_at, email, notify_email)
SELECT id, username, display_name, role, department_id, password_hash, must_change_password, failed_logins,
    locked_until, disabled, demo, password_changed_at, created_at, email, notify_email FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT    NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE password_history (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       TEXT    NOT NULL,
    changed_at TEXT    NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, changed_at);

ALTER TABLE enterprises ADD COLUMN phone TEXT NOT NULL DEFAULT '';

-- A session signed in with the password alone, waiting for the second
-- factor ('code') or for its enrolment ('enrol'); '' is a full session.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT '';

-- Entries archived to a signed file: the archive's last hash is where the
-- kept chain begins. Only archived entries may be deleted.
CREATE TABLE audit_archives (
    id         INTEGER PRIMARY KEY,
    up_to_id   INTEGER NOT NULL,
    entries    INTEGER NOT NULL,
    last_hash  TEXT    NOT NULL,
    file_mac   TEXT    NOT NULL,
    row_mac    TEXT    NOT NULL, -- HMAC-SM3 of the row: a forged archive record is found
    created_at TEXT    NOT NULL
);
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.id > (SELECT COALESCE(max(up_to_id), 0) FROM audit_archives)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_archives_no_change BEFORE UPDATE ON audit_archives
BEGIN SELECT RAISE(ABORT, 'audit_archives is append-only'); END;
CREATE TRIGGER audit_archives_no_delete BEFORE DELETE ON audit_archives
BEGIN SELECT RAISE(ABORT, 'audit_archives is append-only'); END;
