package io.nightshift.api.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import java.time.Duration;

/** Messages the coordinator sends to an agent over its channel. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = CoordinatorMessage.Registered.class, name = "registered"),
        @JsonSubTypes.Type(value = CoordinatorMessage.Launch.class, name = "launch"),
        @JsonSubTypes.Type(value = CoordinatorMessage.Kill.class, name = "kill"),
        @JsonSubTypes.Type(value = CoordinatorMessage.Ack.class, name = "ack"),
        @JsonSubTypes.Type(value = CoordinatorMessage.Rejected.class, name = "rejected"),
})
public sealed interface CoordinatorMessage {

    /** Registration accepted; heartbeat at this interval. */
    record Registered(String agentId, long heartbeatIntervalMs) implements CoordinatorMessage {
    }

    /** Registration refused (e.g. bad id); the agent logs the reason and retries later. */
    record Rejected(String reason) implements CoordinatorMessage {
    }

    /** Start one attempt. Idempotent on {@code attemptId}: a duplicate launch of a known attempt is ignored. */
    record Launch(String jobId, String runId, String taskId, String attemptId, int attemptNumber, JobSpec spec)
            implements CoordinatorMessage {
    }

    /** Stop an attempt: SIGTERM to its whole process tree, {@code grace}, then SIGKILL. */
    record Kill(String attemptId, Duration grace, Reason reason) implements CoordinatorMessage {
    }

    /** The coordinator has stored every status update up to and including {@code seq}. */
    record Ack(long seq) implements CoordinatorMessage {
    }
}
