-- Numbered after the issue that added it (9; V10 is the security stream's number).
-- Secrets an admin stores for jobs to reference by name (a spec's "secrets" maps an env variable to a name).
-- value is AES-256-GCM ciphertext, base64 of (12-byte IV || ciphertext+tag), with the name as associated data,
-- keyed by the coordinators' secrets key file (coordinator.secrets.key-file), which is not in this database:
-- a copy of the database alone does not reveal a secret. queues is a JSON array of the queues whose jobs may
-- use the secret ("*": every queue).
CREATE TABLE ns_secrets (
    name       VARCHAR(64)  NOT NULL PRIMARY KEY,
    value      TEXT         NOT NULL,
    queues     TEXT         NOT NULL,
    updated_at BIGINT       NOT NULL,
    updated_by VARCHAR(128)
);
