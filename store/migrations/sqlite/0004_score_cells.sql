-- The score aggregate: counted publications per department, channel, day and
-- 字数 tier floor (the floor of the tier the 字数 falls in under that year's
-- plan; 0 for channels scored per piece). Kept in the transaction of every
-- change that moves a score, so the report reads at most
-- departments × channels × days × tiers rows, whatever the publications.
-- Filled from the publications by the migration (Go) and rebuilt for a year
-- when its plan is loaded or replaced.
CREATE TABLE score_cells (
    department_id INTEGER NOT NULL REFERENCES departments (id),
    channel       TEXT    NOT NULL,
    day           TEXT    NOT NULL,
    floor         INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (day, department_id, channel, floor)
) WITHOUT ROWID;

-- A department's ledger pages through its publications by (day, id).
CREATE INDEX publications_ledger ON publications (department_id, day, id);

-- The aggregate's version: raised in the transaction of every change to it,
-- so a server may keep a computed report until the version moves (and every
-- server on one PostgreSQL sees the same version).
CREATE TABLE score_version (id INTEGER PRIMARY KEY CHECK (id = 1), v BIGINT NOT NULL);
INSERT INTO score_version (id, v) VALUES (1, 0);
