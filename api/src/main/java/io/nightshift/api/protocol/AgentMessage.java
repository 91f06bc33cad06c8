package io.nightshift.api.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.nightshift.api.Resources;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Messages an agent sends to the coordinator over its channel (one JSON text frame each). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = AgentMessage.Register.class, name = "register"),
        @JsonSubTypes.Type(value = AgentMessage.Heartbeat.class, name = "heartbeat"),
        @JsonSubTypes.Type(value = AgentMessage.StatusUpdate.class, name = "status"),
        @JsonSubTypes.Type(value = AgentMessage.Progress.class, name = "progress"),
})
public sealed interface AgentMessage {

    /**
     * First message on every (re)connect. {@code running} lists the attempts the agent still
     * supervises; {@code reported} the attempts that have status updates not yet acknowledged, which
     * the agent re-sends right after {@link CoordinatorMessage.Registered}. An attempt the coordinator
     * believes active on this agent that is in neither list is gone (reconciled as LOST).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Register(String agentId, String host, String httpUrl, Resources total, Map<String, String> attributes,
                    String isolation, String version, List<String> running, List<String> reported) implements AgentMessage {
        public Register {
            attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
            running = running == null ? List.of() : List.copyOf(running);
            reported = reported == null ? List.of() : List.copyOf(reported);
        }

        public Register(String agentId, String host, String httpUrl, Resources total, Map<String, String> attributes,
                        String isolation, String version, List<String> running) {
            this(agentId, host, httpUrl, total, attributes, isolation, version, running, List.of());
        }
    }

    /**
     * Periodic liveness and usage report. {@code ownerLoad} is the machine's load that is not Nightshift's
     * (absent until the agent has two samples to compare, and from agents that do not measure it).
     * {@code running} and {@code reported}, as in {@link Register}, let the leader reconcile at every heartbeat
     * (absent from older agents: then only registration reconciles).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Heartbeat(String agentId, Instant time, int runningAttempts, io.nightshift.api.model.OwnerLoad ownerLoad,
                     List<String> running, List<String> reported) implements AgentMessage {
        public Heartbeat {
            running = running == null ? null : List.copyOf(running);
            reported = reported == null ? null : List.copyOf(reported);
        }

        public Heartbeat(String agentId, Instant time, int runningAttempts, io.nightshift.api.model.OwnerLoad ownerLoad) {
            this(agentId, time, runningAttempts, ownerLoad, null, null);
        }

        public Heartbeat(String agentId, Instant time, int runningAttempts) {
            this(agentId, time, runningAttempts, null);
        }
    }

    /**
     * An attempt changed state. {@code seq} is per agent and strictly increasing; the coordinator
     * acknowledges it with {@link CoordinatorMessage.Ack} and ignores an update it has seen. {@code app}: on a
     * RUNNING update, what the driver told about its application (Spark app id, driver UI URL, Hadoop job id).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record StatusUpdate(long seq, String taskId, String attemptId, TaskState state, Reason reason, Integer exitCode,
                        String message, Instant time, io.nightshift.api.model.FetchProgress fetch,
                        io.nightshift.api.model.AppInfo app) implements AgentMessage {
        public StatusUpdate(long seq, String taskId, String attemptId, TaskState state, Reason reason, Integer exitCode,
                            String message, Instant time, io.nightshift.api.model.FetchProgress fetch) {
            this(seq, taskId, attemptId, state, reason, exitCode, message, time, fetch, null);
        }

        /** Without fetch progress (every update but FETCHING's). */
        public StatusUpdate(long seq, String taskId, String attemptId, TaskState state, Reason reason, Integer exitCode,
                            String message, Instant time) {
            this(seq, taskId, attemptId, state, reason, exitCode, message, time, null);
        }
    }

    /**
     * The latest progress of a running attempt (today: kafka tasks' consumption). Sent every few seconds while it
     * changes, not journaled and not acknowledged: a lost one is replaced by the next.
     */
    record Progress(String agentId, String taskId, io.nightshift.api.model.TaskProgress progress) implements AgentMessage {
    }
}
