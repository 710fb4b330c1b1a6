-- Item analysis of a closed round (or of a contest's closed rounds), computed once and kept:
-- `rounds` lists the rounds it was computed from, `body` is its JSON.
CREATE TABLE item_analyses (
    scope_id     UUID PRIMARY KEY,
    rounds       TEXT NOT NULL,
    computed_at  BIGINT NOT NULL,
    body         TEXT NOT NULL
);
