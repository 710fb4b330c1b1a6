-- PostgreSQL schema. Identifiers are native UUIDs; times are BIGINT
-- milliseconds since the Unix epoch. Kept in step with migrations/sqlite.

CREATE TABLE units (
    id          UUID PRIMARY KEY,
    parent_id   UUID REFERENCES units(id),
    code        TEXT UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    headcount   BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE users (
    id             UUID PRIMARY KEY,
    full_name      TEXT NOT NULL,
    phone          TEXT NOT NULL UNIQUE,
    unit_id        UUID NOT NULL REFERENCES units(id),
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL DEFAULT 'participant',
    created_at     BIGINT NOT NULL
);
CREATE INDEX users_unit ON users(unit_id);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE rate_limits (
    key           TEXT PRIMARY KEY,
    window_start  BIGINT NOT NULL,
    hits          BIGINT NOT NULL
);

CREATE TABLE topics (
    slug         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    position     BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE questions (
    id                  UUID PRIMARY KEY,
    key                 TEXT UNIQUE,
    topic               TEXT NOT NULL REFERENCES topics(slug),
    status              TEXT NOT NULL DEFAULT 'active',
    current_version_id  UUID,
    created_at          BIGINT NOT NULL
);
CREATE INDEX questions_status ON questions(status);

-- Versions are immutable: an attempt refers to the version it was served.
CREATE TABLE question_versions (
    id           UUID PRIMARY KEY,
    question_id  UUID NOT NULL REFERENCES questions(id),
    version      BIGINT NOT NULL,
    stem         TEXT NOT NULL,
    explanation  TEXT NOT NULL,
    source       TEXT NOT NULL,
    passage      TEXT NOT NULL,
    difficulty   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (question_id, version)
);

CREATE TABLE question_options (
    id          UUID PRIMARY KEY,
    version_id  UUID NOT NULL REFERENCES question_versions(id),
    position    BIGINT NOT NULL,
    text        TEXT NOT NULL,
    is_correct  BOOLEAN NOT NULL,
    UNIQUE (version_id, position)
);

CREATE TABLE contests (
    id           UUID PRIMARY KEY,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    rules        TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);

CREATE TABLE rounds (
    id                 UUID PRIMARY KEY,
    contest_id         UUID NOT NULL REFERENCES contests(id),
    title              TEXT NOT NULL,
    position           BIGINT NOT NULL,
    opens_at           BIGINT NOT NULL,
    closes_at          BIGINT NOT NULL,
    question_count     BIGINT NOT NULL,
    duration_ms        BIGINT NOT NULL,
    max_attempts       BIGINT NOT NULL,
    counting           TEXT NOT NULL DEFAULT 'best',
    prediction_prompt  TEXT,
    created_at         BIGINT NOT NULL
);
CREATE INDEX rounds_contest ON rounds(contest_id, position);

-- One row per participant and round: the attempt counter that enforces the
-- limit, the attempt in progress, and the counted (best) result.
CREATE TABLE participations (
    round_id           UUID NOT NULL REFERENCES rounds(id),
    user_id            UUID NOT NULL REFERENCES users(id),
    unit_id            UUID NOT NULL REFERENCES units(id),
    attempts_started   BIGINT NOT NULL DEFAULT 0,
    active_attempt_id  UUID,
    best_attempt_id    UUID,
    best_score         BIGINT,
    best_time_ms       BIGINT,
    best_finished_at   BIGINT,
    prediction         BIGINT,
    PRIMARY KEY (round_id, user_id)
);
CREATE INDEX participations_rank ON participations(round_id, best_score DESC, best_time_ms, best_finished_at);

CREATE TABLE attempts (
    id            UUID PRIMARY KEY,
    round_id      UUID NOT NULL REFERENCES rounds(id),
    user_id       UUID NOT NULL REFERENCES users(id),
    seq           BIGINT NOT NULL,
    status        TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    deadline_at   BIGINT NOT NULL,
    finished_at   BIGINT,
    score         BIGINT,
    max_score     BIGINT NOT NULL,
    time_used_ms  BIGINT,
    prediction    BIGINT,
    UNIQUE (round_id, user_id, seq)
);
CREATE INDEX attempts_user ON attempts(user_id, started_at);
CREATE INDEX attempts_open ON attempts(deadline_at) WHERE status = 'in_progress';

CREATE TABLE attempt_items (
    attempt_id        UUID NOT NULL REFERENCES attempts(id),
    position          BIGINT NOT NULL,
    version_id        UUID NOT NULL REFERENCES question_versions(id),
    -- the order in which the options are shown: positions joined by commas ("2,0,3,1")
    option_order      TEXT NOT NULL,
    chosen_option_id  UUID,
    answered_at       BIGINT,
    PRIMARY KEY (attempt_id, position),
    UNIQUE (attempt_id, version_id)
);
