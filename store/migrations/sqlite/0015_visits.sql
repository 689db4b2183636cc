-- Visits to parks and enterprises (定期走访园区和企业): who went, where, and
-- what the plan asks to learn — 创新需求, 发展难题, 创新发展典型 — and what
-- follows. The plan's form says how many a month each department owes.
CREATE TABLE visits (
    id            INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    day           TEXT    NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    people        TEXT    NOT NULL,              -- names, one per line
    park          TEXT    NOT NULL DEFAULT '',
    needs         TEXT    NOT NULL DEFAULT '',   -- 创新需求
    problems      TEXT    NOT NULL DEFAULT '',   -- 发展难题
    highlights    TEXT    NOT NULL DEFAULT '',   -- 创新发展典型
    follow_up     TEXT    NOT NULL DEFAULT '',
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    TEXT    NOT NULL
);
-- A department's visits by day (the board, the list).
CREATE INDEX visits_department_day ON visits (department_id, day, id);
CREATE INDEX visits_day ON visits (day, id);

CREATE TABLE visit_enterprises (
    visit_id      INTEGER NOT NULL REFERENCES visits (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    PRIMARY KEY (visit_id, enterprise_id)
);
CREATE INDEX visit_enterprises_enterprise ON visit_enterprises (enterprise_id);
