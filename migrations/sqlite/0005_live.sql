-- Live in-person rounds: a host-paced session, its questions, the people who
-- joined (accounts or guests) and their answers. Kept in step with migrations/postgres.

CREATE TABLE live_sessions (
    id                BLOB PRIMARY KEY,
    code              TEXT NOT NULL,
    title             TEXT NOT NULL,
    host_id           BLOB NOT NULL REFERENCES users(id),
    question_ms       BIGINT NOT NULL,
    -- results are written into a new round of this contest when the session ends
    contest_id        BLOB REFERENCES contests(id),
    counted_round_id  BLOB REFERENCES rounds(id),
    phase             TEXT NOT NULL DEFAULT 'lobby',
    q_index           BIGINT NOT NULL DEFAULT -1,
    -- a running question's end, or a paused one's time left
    phase_at          BIGINT NOT NULL DEFAULT 0,
    version           BIGINT NOT NULL DEFAULT 0,
    started_at        BIGINT,
    ended_at          BIGINT,
    created_at        BIGINT NOT NULL
);
-- a code is unique among the sessions not yet ended
CREATE UNIQUE INDEX live_sessions_code ON live_sessions(code) WHERE phase <> 'ended';

CREATE TABLE live_questions (
    session_id  BLOB NOT NULL REFERENCES live_sessions(id),
    position    BIGINT NOT NULL,
    version_id  BLOB NOT NULL REFERENCES question_versions(id),
    PRIMARY KEY (session_id, position)
);

CREATE TABLE live_players (
    id          BLOB PRIMARY KEY,
    session_id  BLOB NOT NULL REFERENCES live_sessions(id),
    user_id     BLOB REFERENCES users(id),
    name        TEXT NOT NULL,
    unit_id     BLOB NOT NULL REFERENCES units(id),
    token_hash  TEXT NOT NULL UNIQUE,
    joined_at   BIGINT NOT NULL,
    points      BIGINT NOT NULL DEFAULT 0,
    correct     BIGINT NOT NULL DEFAULT 0,
    time_ms     BIGINT NOT NULL DEFAULT 0,
    answered    BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX live_players_user ON live_players(session_id, user_id);
CREATE INDEX live_players_session ON live_players(session_id, points DESC);

CREATE TABLE live_answers (
    session_id   BLOB NOT NULL REFERENCES live_sessions(id),
    position     BIGINT NOT NULL,
    player_id    BLOB NOT NULL REFERENCES live_players(id),
    option_id    BLOB NOT NULL REFERENCES question_options(id),
    answered_at  BIGINT NOT NULL,
    elapsed_ms   BIGINT NOT NULL,
    correct      INTEGER NOT NULL,
    points       BIGINT NOT NULL,
    PRIMARY KEY (session_id, position, player_id)
);
CREATE INDEX live_answers_player ON live_answers(player_id);
