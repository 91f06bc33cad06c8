-- Numbered after the issue that added it (9), so that migrations added in parallel do not collide.
-- API tokens: opaque bearer tokens, stored as the SHA-256 of the token (hex), never the token itself.
-- Shared by every coordinator of the cluster through this database; revocation sets revoked_at.
-- roles is a JSON array of role strings: admin, read, agent, read:<queue>, submit:<queue>, submit:*.
CREATE TABLE ns_tokens (
    id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    hash       VARCHAR(64)  NOT NULL UNIQUE,
    subject    VARCHAR(128) NOT NULL,
    roles      TEXT         NOT NULL,
    created_at BIGINT       NOT NULL,
    created_by VARCHAR(128),
    revoked_at BIGINT
);

-- Agent credentials: issued to an agent id at its first registration; a later connection with the
-- same id must present the same credential (no takeover). The secret itself is kept (not a hash):
-- the coordinator proves itself to the agent with an HMAC keyed by it.
CREATE TABLE ns_agent_credentials (
    agent_id  VARCHAR(255) NOT NULL PRIMARY KEY,
    secret    VARCHAR(128) NOT NULL,
    issued_at BIGINT       NOT NULL
);
