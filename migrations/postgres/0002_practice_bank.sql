-- Practice answers (never counted in any contest) and staged bank imports.

CREATE TABLE practice_answers (
    user_id      UUID NOT NULL REFERENCES users(id),
    version_id   UUID NOT NULL REFERENCES question_versions(id),
    topic        TEXT NOT NULL,
    correct      BOOLEAN NOT NULL,
    answered_at  BIGINT NOT NULL
);
CREATE INDEX practice_answers_user ON practice_answers(user_id, topic);

-- An uploaded bank file, validated and waiting for the organizer to confirm it.
CREATE TABLE staged_imports (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users(id),
    file_name   TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

ALTER TABLE questions ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
