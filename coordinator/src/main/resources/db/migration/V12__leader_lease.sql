-- The leader's lease: the time of its last renewal (epoch millis, the renewing coordinator's clock;
-- informational, the lease itself is measured on each coordinator's monotonic clock), and the
-- store's identity, a random id set once, which coordinators of one Hazelcast cluster compare at
-- start so that members on different stores (one SQLite file each) never form one cluster.
ALTER TABLE ns_leader ADD COLUMN renewed BIGINT;
ALTER TABLE ns_leader ADD COLUMN store_id VARCHAR(64);
