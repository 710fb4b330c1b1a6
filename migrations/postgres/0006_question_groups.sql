-- Questions that ask the same fact or give each other away share a group; a draw
-- serves at most one question of a group (empty: a group of its own).
ALTER TABLE questions ADD COLUMN grp TEXT NOT NULL DEFAULT '';
