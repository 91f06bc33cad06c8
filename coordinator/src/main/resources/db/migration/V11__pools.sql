-- Pools (machines shared with their owners, with windows): one JSON document per pool,
-- {"v":1,"id":<name>,"spec":{PoolSpec}}.
CREATE TABLE ns_pools (
    id   VARCHAR(255) NOT NULL PRIMARY KEY,
    body TEXT         NOT NULL
);
