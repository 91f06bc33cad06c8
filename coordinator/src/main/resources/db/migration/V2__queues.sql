-- Queues (tenants): one JSON document per queue, {"v":1,"id":<name>,"spec":{QueueSpec}}.
CREATE TABLE ns_queues (
    id   VARCHAR(255) NOT NULL PRIMARY KEY,
    body TEXT         NOT NULL
);
