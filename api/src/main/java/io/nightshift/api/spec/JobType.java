package io.nightshift.api.spec;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The kinds of work a job can be. Each has a section of its own in the spec, named like the type
 * ({@code "type": "command"} → {@code "command": {...}}). Spark drivers ({@code spark}) and Hadoop MapReduce drivers ({@code hadoop}) run through
 * the agent's Spark homes and Hadoop configuration.
 */
public enum JobType {
    COMMAND("command"),
    JVM("jvm"),
    KAFKA("kafka"),
    SPARK("spark"),
    HADOOP("hadoop");

    private final String wire;

    JobType(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    public static JobType fromWire(String s) {
        for (JobType t : values()) if (t.wire.equals(s)) return t;
        return null;
    }
}
