-- 科技政策进百企: the policy library (汇集各级科技政策, compiled into a
-- booklet) and the campaign's reach — which enterprise, when, by whom, which
-- policies were explained, what the enterprise asked for.
CREATE TABLE policies (
    id         INTEGER PRIMARY KEY,
    level      TEXT    NOT NULL CHECK (level IN ('national', 'provincial', 'city', 'district')),
    issuer     TEXT    NOT NULL,
    doc_number TEXT    NOT NULL DEFAULT '',
    title      TEXT    NOT NULL CHECK (title <> ''),
    issued     TEXT    NOT NULL,                 -- YYYY-MM-DD
    summary    TEXT    NOT NULL DEFAULT '',
    link       TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'repealed')),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT    NOT NULL
);
CREATE INDEX policies_level ON policies (level, issued, id);

CREATE TABLE policy_reaches (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    day           TEXT    NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    asked         TEXT    NOT NULL DEFAULT '',   -- what the enterprise asked for
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    TEXT    NOT NULL
);
CREATE INDEX policy_reaches_day ON policy_reaches (day, id);
CREATE INDEX policy_reaches_enterprise ON policy_reaches (enterprise_id);

CREATE TABLE policy_reach_items (
    reach_id  INTEGER NOT NULL REFERENCES policy_reaches (id),
    policy_id INTEGER NOT NULL REFERENCES policies (id),
    PRIMARY KEY (reach_id, policy_id)
);
