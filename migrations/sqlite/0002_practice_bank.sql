-- Practice answers (never counted in any contest) and staged bank imports.

CREATE TABLE practice_answers (
    user_id      BLOB NOT NULL REFERENCES users(id),
    version_id   BLOB NOT NULL REFERENCES question_versions(id),
    topic        TEXT NOT NULL,
    correct      INTEGER NOT NULL,
    answered_at  INTEGER NOT NULL
);
CREATE INDEX practice_answers_user ON practice_answers(user_id, topic);

-- An uploaded bank file, validated and waiting for the organizer to confirm it.
CREATE TABLE staged_imports (
    id          BLOB PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users(id),
    file_name   TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

ALTER TABLE questions ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
