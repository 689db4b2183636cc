-- A commission's theme is stored by its code in the plan (a theme without a
-- code has its number as its code), so renumbering or reordering a plan's
-- themes does not move old commissions; '' is 不限.
ALTER TABLE commissions ALTER COLUMN theme DROP DEFAULT;
ALTER TABLE commissions ALTER COLUMN theme TYPE TEXT USING CASE WHEN theme = 0 THEN '' ELSE theme::text END;
ALTER TABLE commissions ALTER COLUMN theme SET DEFAULT '';
