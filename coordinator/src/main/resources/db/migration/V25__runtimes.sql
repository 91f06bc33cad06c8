-- The runtimes of successful runs by job name, the history deadline admission takes its p90 over, so a
-- coordinator restart or a new leader does not admit from nothing: one JSON document per job name,
-- {"v":1,"id":<name>,"runs":[{"run":<run id>,"endedAt":<ISO instant>,"seconds":<decimal>}, ...]},
-- oldest first, at most the last 50 (written whole by the leader in the turn that ends the run).
CREATE TABLE ns_runtimes (
    id   VARCHAR(255) NOT NULL PRIMARY KEY,
    body TEXT         NOT NULL
);
