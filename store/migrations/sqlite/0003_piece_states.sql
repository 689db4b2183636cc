-- 已采用 means at least one counted adoption: pieces moved to 'adopted' by a
-- department's record still waiting for verification go back to 'approved'.
UPDATE pieces SET state = 'approved'
WHERE state = 'adopted'
  AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.piece_id = pieces.id AND p.counted <> 0);
