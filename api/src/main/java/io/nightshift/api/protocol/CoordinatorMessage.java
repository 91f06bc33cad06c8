package io.nightshift.api.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
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

    /**
     * Registration accepted; heartbeat at this interval. {@code epoch} is the leader's fencing token:
     * the agent remembers the highest it has seen and ignores launches and kills of an older epoch
     * (0 = unfenced). With auth on, {@code proof} is {@link AgentProof#proof} over the agent's id,
     * this epoch and the nonce the agent sent when connecting, keyed by the agent's credential: an
     * agent that holds a credential accepts only a Registered that proves the coordinator knows it.
     * {@code credential} is set once, when the cluster issues this agent id its credential.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Registered(String agentId, long heartbeatIntervalMs, long epoch, String credential, String proof)
            implements CoordinatorMessage {
        public Registered(String agentId, long heartbeatIntervalMs, long epoch) {
            this(agentId, heartbeatIntervalMs, epoch, null, null);
        }

        public Registered(String agentId, long heartbeatIntervalMs) {
            this(agentId, heartbeatIntervalMs, 0);
        }

        public Registered withProof(String issuedCredential, String p) {
            return new Registered(agentId, heartbeatIntervalMs, epoch, issuedCredential, p);
        }
    }

    /**
     * Registration refused (e.g. bad id, or this coordinator is not the leader); the agent logs the
     * reason and retries later, at {@code leaderUrl} first when one is given.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Rejected(String reason, String leaderUrl) implements CoordinatorMessage {
        public Rejected(String reason) {
            this(reason, null);
        }
    }

    /**
     * Start one attempt. Idempotent on {@code attemptId}: a duplicate launch of a known attempt is ignored.
     * {@code secrets} are the values of the spec's {@code secrets} (environment variable → value), resolved by
     * the leader for this attempt only: the agent puts them in the task's environment and keeps them nowhere
     * else ({@link #withoutSecrets()} is what it writes to disk); {@link #toString()} never shows them.
     */
    record Launch(String jobId, String runId, String taskId, String attemptId, int attemptNumber, JobSpec spec, long epoch,
                  @JsonInclude(JsonInclude.Include.NON_EMPTY) java.util.Map<String, String> secrets,
                  @JsonInclude(JsonInclude.Include.NON_NULL) java.time.Instant scheduledFor)
            implements CoordinatorMessage {
        public Launch {
            secrets = secrets == null ? java.util.Map.of() : java.util.Map.copyOf(secrets);
        }

        public Launch(String jobId, String runId, String taskId, String attemptId, int attemptNumber, JobSpec spec, long epoch,
                      java.util.Map<String, String> secrets) {
            this(jobId, runId, taskId, attemptId, attemptNumber, spec, epoch, secrets, null);
        }

        public Launch(String jobId, String runId, String taskId, String attemptId, int attemptNumber, JobSpec spec, long epoch) {
            this(jobId, runId, taskId, attemptId, attemptNumber, spec, epoch, null);
        }

        public Launch(String jobId, String runId, String taskId, String attemptId, int attemptNumber, JobSpec spec) {
            this(jobId, runId, taskId, attemptId, attemptNumber, spec, 0);
        }

        /** This launch with no secret values: what may be written to disk or shown. */
        public Launch withoutSecrets() {
            return secrets.isEmpty() ? this : new Launch(jobId, runId, taskId, attemptId, attemptNumber, spec, epoch, null,
                    scheduledFor);
        }

        @Override
        public String toString() {
            return "Launch[jobId=" + jobId + ", runId=" + runId + ", taskId=" + taskId + ", attemptId=" + attemptId
                    + ", attemptNumber=" + attemptNumber + ", epoch=" + epoch + ", secrets=" + secrets.keySet()
                    + (scheduledFor == null ? "" : ", scheduledFor=" + scheduledFor) + "]";
        }
    }

    /** Stop an attempt: SIGTERM to its whole process tree, {@code grace}, then SIGKILL. */
    record Kill(String attemptId, Duration grace, Reason reason, long epoch) implements CoordinatorMessage {
        public Kill(String attemptId, Duration grace, Reason reason) {
            this(attemptId, grace, reason, 0);
        }
    }

    /** The coordinator has stored every status update up to and including {@code seq}. */
    record Ack(long seq) implements CoordinatorMessage {
    }
}
