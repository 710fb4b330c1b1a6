-- Organizer roles scoped to a unit subtree, contest audiences, round rules,
-- the audit log and frozen (published) results.

ALTER TABLE users ADD COLUMN scope_unit_id BLOB REFERENCES units(id);

ALTER TABLE contests ADD COLUMN audience_unit_id BLOB REFERENCES units(id);
ALTER TABLE contests ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public';
-- JSON: {"individual": [{"label", "count"}…], "collective": {"label", "count", "by"}}
ALTER TABLE contests ADD COLUMN prizes TEXT NOT NULL DEFAULT '{}';

ALTER TABLE rounds ADD COLUMN min_gap_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rounds ADD COLUMN shuffle_options INTEGER NOT NULL DEFAULT 1;
ALTER TABLE rounds ADD COLUMN prediction_kind TEXT NOT NULL DEFAULT 'perfect_scores';
-- JSON: {"topics": {"slug": n, …}, "difficulty": {"1": n, "2": n, "3": n}}; empty = any active question
ALTER TABLE rounds ADD COLUMN draw_rules TEXT NOT NULL DEFAULT '{}';
ALTER TABLE rounds ADD COLUMN published_at INTEGER;

CREATE TABLE audit_log (
    id          BLOB PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    BLOB REFERENCES users(id),
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);

-- A round's results as published: a snapshot later edits cannot change.
CREATE TABLE published_results (
    round_id      BLOB PRIMARY KEY REFERENCES rounds(id),
    published_at  INTEGER NOT NULL,
    published_by  BLOB REFERENCES users(id),
    snapshot      TEXT NOT NULL
);

-- Units merged into another (administrative reorganisation) stay for history.
ALTER TABLE units ADD COLUMN merged_into BLOB REFERENCES units(id);

-- Accounts created from a roster: no password until activated with their one-time code.
ALTER TABLE users ADD COLUMN position TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN activation_code TEXT;
