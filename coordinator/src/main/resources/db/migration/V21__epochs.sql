-- The store's own record of leadership: one row per fencing epoch, written in the transaction that
-- takes it. holder: the coordinator (Hazelcast member id) that took it; taken: when (epoch millis,
-- its clock); acting: when it began to act as leader (after waiting out the last lease), null if it
-- never did (it lost the epoch while waiting, or died); url: where it served then; ended: when it
-- stepped down or released its lease (null while it leads, or when it died without a word; the next
-- epoch's taken then bounds it), with why. Checkers read it to prove two leaders never acted at once.
CREATE TABLE ns_epochs (
    epoch  BIGINT       NOT NULL PRIMARY KEY,
    holder VARCHAR(255) NOT NULL,
    taken  BIGINT       NOT NULL,
    acting BIGINT,
    url    VARCHAR(1024),
    ended  BIGINT,
    why    VARCHAR(1024)
);
