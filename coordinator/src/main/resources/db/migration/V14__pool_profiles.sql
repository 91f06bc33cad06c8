-- Per-pool hour-of-week profiles of idle capacity (the forecast deadline admission reads), so a coordinator
-- restart or a new leader does not start from nothing: one JSON document per pool,
-- {"v":1,"id":<pool>,"zone":<IANA zone>,"cpus":[168],"memMb":[168],"samples":[168]}.
CREATE TABLE ns_pool_profiles (
    id   VARCHAR(255) NOT NULL PRIMARY KEY,
    body TEXT         NOT NULL
);
