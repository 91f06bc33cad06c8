package io.nightshift.api.spec;

import com.fasterxml.jackson.annotation.JsonValue;

/** What submitting a job does when admission finds its deadline cannot be met: refuse it (409) or accept it with a warning. */
public enum DeadlinePolicy {
    REFUSE("refuse"), WARN("warn");

    private final String wire;

    DeadlinePolicy(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    public static DeadlinePolicy fromWire(String s) {
        for (DeadlinePolicy v : values()) if (v.wire.equals(s)) return v;
        return null;
    }
}
