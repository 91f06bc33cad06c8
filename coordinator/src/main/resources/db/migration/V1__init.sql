-- Nightshift durable state, version 1. Portable between SQLite and PostgreSQL: TEXT, BIGINT and
-- VARCHAR only; times are epoch milliseconds (UTC); `body` is the JSON document of the api/model
-- record (with its schema version `v`). The other columns are copies of body fields, kept for
-- filtering, ordering, eager loading and retention.
--
-- No foreign keys on purpose: Hazelcast writes each map through on its own partition threads, so
-- a task or run row routinely arrives before its job row (SchedulerCore stores them first and the
-- job last, as its commit point). Retention deletes a job's children explicitly instead.

CREATE TABLE ns_jobs (
    id           VARCHAR(255) NOT NULL PRIMARY KEY,
    body         TEXT         NOT NULL,
    state        VARCHAR(16)  NOT NULL,
    queue        VARCHAR(255) NOT NULL,
    submitted_at BIGINT       NOT NULL,
    finished_at  BIGINT,
    updated_at   BIGINT
);
CREATE INDEX ns_jobs_state ON ns_jobs (state);
-- Job history listing: newest first, ties by id.
CREATE INDEX ns_jobs_submitted ON ns_jobs (submitted_at DESC, id);
-- Retention: terminal jobs finished before a cutoff.
CREATE INDEX ns_jobs_finished ON ns_jobs (finished_at);

CREATE TABLE ns_runs (
    id     VARCHAR(255) NOT NULL PRIMARY KEY,
    job_id VARCHAR(255) NOT NULL,
    body   TEXT         NOT NULL,
    state  VARCHAR(16)  NOT NULL
);
CREATE INDEX ns_runs_job ON ns_runs (job_id);

CREATE TABLE ns_tasks (
    id     VARCHAR(255) NOT NULL PRIMARY KEY,
    job_id VARCHAR(255) NOT NULL,
    body   TEXT         NOT NULL,
    state  VARCHAR(16)  NOT NULL
);
CREATE INDEX ns_tasks_state ON ns_tasks (state);
CREATE INDEX ns_tasks_job ON ns_tasks (job_id);

CREATE TABLE ns_agents (
    id   VARCHAR(255) NOT NULL PRIMARY KEY,
    body TEXT         NOT NULL
);

-- Idempotency-Key -> job id. The column is idem_key, not key: KEY is reserved in MySQL and H2.
CREATE TABLE ns_idempotency (
    idem_key VARCHAR(255) NOT NULL PRIMARY KEY,
    job_id   VARCHAR(255) NOT NULL
);
CREATE INDEX ns_idempotency_job ON ns_idempotency (job_id);

-- Numbered state-change events (GET /v1/events, SSE id = seq).
CREATE TABLE ns_events (
    seq  BIGINT NOT NULL PRIMARY KEY,
    time BIGINT NOT NULL,
    body TEXT   NOT NULL
);

-- Leadership fencing: one row; epoch only grows.
CREATE TABLE ns_leader (
    id     INTEGER      NOT NULL PRIMARY KEY,
    epoch  BIGINT       NOT NULL,
    holder VARCHAR(255),
    since  BIGINT
);
INSERT INTO ns_leader (id, epoch, holder, since) VALUES (1, 0, NULL, NULL);
