-- Aggregates for leaderboards and unit statistics, maintained in the same
-- transaction that starts or grades an attempt (and when units merge), so that
-- no board ever scans attempts. `thi24 recompute` rebuilds them from attempts.

-- Per round and unit (the unit's own members; parents are summed over the tree).
CREATE TABLE unit_round_stats (
    round_id      BLOB NOT NULL REFERENCES rounds(id),
    unit_id       BLOB NOT NULL REFERENCES units(id),
    participants  INTEGER NOT NULL DEFAULT 0,  -- members who started at least one attempt
    attempts      INTEGER NOT NULL DEFAULT 0,  -- attempts started
    graded        INTEGER NOT NULL DEFAULT 0,  -- members with a counted result
    score_sum     INTEGER NOT NULL DEFAULT 0,  -- sum of the counted scores
    perfect       INTEGER NOT NULL DEFAULT 0,  -- counted results with every answer right
    PRIMARY KEY (round_id, unit_id)
);

-- Per contest and participant: the contest ranking's row.
CREATE TABLE contest_entries (
    contest_id        BLOB NOT NULL REFERENCES contests(id),
    user_id           BLOB NOT NULL REFERENCES users(id),
    unit_id           BLOB NOT NULL REFERENCES units(id),
    attempts          INTEGER NOT NULL DEFAULT 0,
    rounds            INTEGER NOT NULL DEFAULT 0,  -- rounds with a counted result
    score             INTEGER NOT NULL DEFAULT 0,
    time_used_ms      INTEGER NOT NULL DEFAULT 0,
    last_finished_at  INTEGER NOT NULL DEFAULT 0,
    perfect           INTEGER NOT NULL DEFAULT 0,
    -- sum over the contest's settled prediction rounds of the prediction's distance
    distance          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (contest_id, user_id)
);
-- partial indexes: the boards list only rows with a counted result, in ranking order
CREATE INDEX contest_entries_rank ON contest_entries(contest_id, score DESC, distance, time_used_ms, last_finished_at) WHERE rounds > 0;
CREATE INDEX contest_entries_unit ON contest_entries(contest_id, unit_id, score DESC, distance, time_used_ms, last_finished_at) WHERE rounds > 0;

-- Per contest and unit (a participant counts once per contest).
CREATE TABLE unit_contest_stats (
    contest_id    BLOB NOT NULL REFERENCES contests(id),
    unit_id       BLOB NOT NULL REFERENCES units(id),
    participants  INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    graded        INTEGER NOT NULL DEFAULT 0,
    score_sum     INTEGER NOT NULL DEFAULT 0,
    perfect       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (contest_id, unit_id)
);

-- Attempts started and new participants per Hanoi calendar day (days since 1970-01-01, UTC+7).
CREATE TABLE unit_daily (
    round_id          BLOB NOT NULL REFERENCES rounds(id),
    unit_id           BLOB NOT NULL REFERENCES units(id),
    day               INTEGER NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    new_participants  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, unit_id, day)
);

-- Distribution of counted scores; scope is a round (its counted results) or a
-- contest (its participants' totals).
CREATE TABLE score_hist (
    scope_id  BLOB NOT NULL,
    score     INTEGER NOT NULL,
    n         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope_id, score)
);

-- The predicted quantity's real value of a closed round, once the prediction
-- distances of its participations (and of the contest entries) are written.
CREATE TABLE round_settlements (
    round_id  BLOB PRIMARY KEY REFERENCES rounds(id),
    actual    INTEGER NOT NULL
);
ALTER TABLE participations ADD COLUMN distance INTEGER;
CREATE INDEX participations_board ON participations(round_id, best_score DESC, distance, best_time_ms, best_finished_at)
    WHERE best_score IS NOT NULL;
CREATE INDEX participations_unit ON participations(round_id, unit_id, best_score DESC, distance, best_time_ms, best_finished_at)
    WHERE best_score IS NOT NULL;
DROP INDEX participations_rank;

-- Failed logins in a row per phone number, and until when it is locked (src/domain/lockout.rs).
CREATE TABLE login_failures (
    phone         TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    locked_until  INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
