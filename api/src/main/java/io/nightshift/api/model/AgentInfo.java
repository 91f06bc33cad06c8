package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nightshift.api.Resources;
import java.time.Instant;
import java.util.Map;

/**
 * An agent as the coordinator knows it. {@code allocated} is what placed attempts hold;
 * {@code isolation} says how the agent contains task process trees (e.g.
 * {@code "cgroup-v1(memory,cpu,pids)+session"} or {@code "session+env-scan"}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentInfo(
        int v,
        String id,
        String host,
        String httpUrl,
        AgentStatus status,
        Resources total,
        Resources allocated,
        Map<String, String> attributes,
        String isolation,
        String version,
        Instant registeredAt,
        Instant lastHeartbeat) {

    public static final int SCHEMA_VERSION = 1;

    public enum AgentStatus { ACTIVE, LOST, DISCONNECTED }

    public AgentInfo {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        allocated = allocated == null ? Resources.ZERO : allocated;
    }

    public Resources free() {
        return total.minus(allocated);
    }

    public AgentInfo withAllocated(Resources a) {
        return new AgentInfo(v, id, host, httpUrl, status, total, a, attributes, isolation, version, registeredAt, lastHeartbeat);
    }

    public AgentInfo withStatus(AgentStatus s) {
        return new AgentInfo(v, id, host, httpUrl, s, total, allocated, attributes, isolation, version, registeredAt, lastHeartbeat);
    }

    public AgentInfo withHeartbeat(Instant at) {
        return new AgentInfo(v, id, host, httpUrl, status, total, allocated, attributes, isolation, version, registeredAt, at);
    }
}
