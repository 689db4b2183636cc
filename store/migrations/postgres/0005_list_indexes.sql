-- Lists page by keyset: pieces newest change first (every role's list, a
-- department's list), the office's verification queue oldest first, the
-- audit log by id (its primary key), accounts by name (unique).
CREATE INDEX pieces_updated ON pieces (updated_at, id);
CREATE INDEX pieces_department_updated ON pieces (department_id, updated_at, id);
CREATE INDEX publications_pending ON publications (id) WHERE NOT counted;
