-- A commission's theme is stored by its code in the plan (a theme without a
-- code has its number as its code), so renumbering or reordering a plan's
-- themes does not move old commissions; '' is 不限.
ALTER TABLE commissions ADD COLUMN theme_code TEXT NOT NULL DEFAULT '';
UPDATE commissions SET theme_code = CAST(theme AS TEXT) WHERE theme <> 0;
ALTER TABLE commissions DROP COLUMN theme;
ALTER TABLE commissions RENAME COLUMN theme_code TO theme;
