package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nightshift.api.Resources;
import java.time.Instant;
import java.util.Map;

/**
 * An agent as the coordinator knows it. {@code allocated} is what placed attempts hold;
 * {@code isolation} says how the agent contains task process trees (e.g.
 * {@code "cgroup-v1(memory,cpu,pids)+session"} or {@code "session+env-scan"}). {@code ownerLoad} is what the
 * machine's own services use (the agent's latest report; absent until it has one) and {@code idle} the
 * capacity that is neither allocated nor the owners': total − allocated − owner reservation − owner load −
 * headroom (the reservation and headroom are its pool's; absent until the owner load is known).
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
        Instant lastHeartbeat,
        OwnerLoad ownerLoad,
        Resources idle) {

    public static final int SCHEMA_VERSION = 1;

    public enum AgentStatus { ACTIVE, LOST, DISCONNECTED }

    public AgentInfo(int v, String id, String host, String httpUrl, AgentStatus status, Resources total, Resources allocated,
                     Map<String, String> attributes, String isolation, String version, Instant registeredAt,
                     Instant lastHeartbeat) {
        this(v, id, host, httpUrl, status, total, allocated, attributes, isolation, version, registeredAt, lastHeartbeat,
                null, null);
    }

    public AgentInfo {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        allocated = allocated == null ? Resources.ZERO : allocated;
    }

    public Resources free() {
        return total.minus(allocated);
    }

    public AgentInfo withAllocated(Resources a) {
        return new AgentInfo(v, id, host, httpUrl, status, total, a, attributes, isolation, version, registeredAt, lastHeartbeat,
                ownerLoad, idle);
    }

    public AgentInfo withStatus(AgentStatus s) {
        return new AgentInfo(v, id, host, httpUrl, s, total, allocated, attributes, isolation, version, registeredAt, lastHeartbeat,
                ownerLoad, idle);
    }

    public AgentInfo withHeartbeat(Instant at) {
        return new AgentInfo(v, id, host, httpUrl, status, total, allocated, attributes, isolation, version, registeredAt, at,
                ownerLoad, idle);
    }

    public AgentInfo withOwnerLoad(OwnerLoad load, Resources idleNow) {
        return new AgentInfo(v, id, host, httpUrl, status, total, allocated, attributes, isolation, version, registeredAt,
                lastHeartbeat, load, idleNow);
    }

    /** The pool this agent belongs to (its {@code pool} attribute), or null. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public String pool() {
        return attributes.get("pool");
    }
}
