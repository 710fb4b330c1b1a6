-- SQLite schema. Identifiers are UUIDs stored as 16-byte BLOBs (how sqlx
-- encodes uuid::Uuid for SQLite); times are milliseconds since the Unix epoch.

CREATE TABLE units (
    id          BLOB PRIMARY KEY,
    parent_id   BLOB REFERENCES units(id),
    code        TEXT UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    headcount   INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE users (
    id             BLOB PRIMARY KEY,
    full_name      TEXT NOT NULL,
    phone          TEXT NOT NULL UNIQUE,
    unit_id        BLOB NOT NULL REFERENCES units(id),
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL DEFAULT 'participant',
    created_at     INTEGER NOT NULL
);
CREATE INDEX users_unit ON users(unit_id);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE rate_limits (
    key           TEXT PRIMARY KEY,
    window_start  INTEGER NOT NULL,
    hits          INTEGER NOT NULL
);

CREATE TABLE topics (
    slug         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    position     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE questions (
    id                  BLOB PRIMARY KEY,
    key                 TEXT UNIQUE,
    topic               TEXT NOT NULL REFERENCES topics(slug),
    status              TEXT NOT NULL DEFAULT 'active',
    current_version_id  BLOB,
    created_at          INTEGER NOT NULL
);
CREATE INDEX questions_status ON questions(status);

-- Versions are immutable: an attempt refers to the version it was served.
CREATE TABLE question_versions (
    id           BLOB PRIMARY KEY,
    question_id  BLOB NOT NULL REFERENCES questions(id),
    version      INTEGER NOT NULL,
    stem         TEXT NOT NULL,
    explanation  TEXT NOT NULL,
    source       TEXT NOT NULL,
    passage      TEXT NOT NULL,
    difficulty   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (question_id, version)
);

CREATE TABLE question_options (
    id          BLOB PRIMARY KEY,
    version_id  BLOB NOT NULL REFERENCES question_versions(id),
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    is_correct  INTEGER NOT NULL,
    UNIQUE (version_id, position)
);

CREATE TABLE contests (
    id           BLOB PRIMARY KEY,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    rules        TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);

CREATE TABLE rounds (
    id                 BLOB PRIMARY KEY,
    contest_id         BLOB NOT NULL REFERENCES contests(id),
    title              TEXT NOT NULL,
    position           INTEGER NOT NULL,
    opens_at           INTEGER NOT NULL,
    closes_at          INTEGER NOT NULL,
    question_count     INTEGER NOT NULL,
    duration_ms        INTEGER NOT NULL,
    max_attempts       INTEGER NOT NULL,
    counting           TEXT NOT NULL DEFAULT 'best',
    prediction_prompt  TEXT,
    created_at         INTEGER NOT NULL
);
CREATE INDEX rounds_contest ON rounds(contest_id, position);

-- One row per participant and round: the attempt counter that enforces the
-- limit, the attempt in progress, and the counted (best) result.
CREATE TABLE participations (
    round_id           BLOB NOT NULL REFERENCES rounds(id),
    user_id            BLOB NOT NULL REFERENCES users(id),
    unit_id            BLOB NOT NULL REFERENCES units(id),
    attempts_started   INTEGER NOT NULL DEFAULT 0,
    active_attempt_id  BLOB,
    best_attempt_id    BLOB,
    best_score         INTEGER,
    best_time_ms       INTEGER,
    best_finished_at   INTEGER,
    prediction         INTEGER,
    PRIMARY KEY (round_id, user_id)
);
CREATE INDEX participations_rank ON participations(round_id, best_score DESC, best_time_ms, best_finished_at);

CREATE TABLE attempts (
    id            BLOB PRIMARY KEY,
    round_id      BLOB NOT NULL REFERENCES rounds(id),
    user_id       BLOB NOT NULL REFERENCES users(id),
    seq           INTEGER NOT NULL,
    status        TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    deadline_at   INTEGER NOT NULL,
    finished_at   INTEGER,
    score         INTEGER,
    max_score     INTEGER NOT NULL,
    time_used_ms  INTEGER,
    prediction    INTEGER,
    UNIQUE (round_id, user_id, seq)
);
CREATE INDEX attempts_user ON attempts(user_id, started_at);
CREATE INDEX attempts_open ON attempts(deadline_at) WHERE status = 'in_progress';

CREATE TABLE attempt_items (
    attempt_id        BLOB NOT NULL REFERENCES attempts(id),
    position          INTEGER NOT NULL,
    version_id        BLOB NOT NULL REFERENCES question_versions(id),
    -- the order in which the options are shown: positions joined by commas ("2,0,3,1")
    option_order      TEXT NOT NULL,
    chosen_option_id  BLOB,
    answered_at       INTEGER,
    PRIMARY KEY (attempt_id, position),
    UNIQUE (attempt_id, version_id)
);
