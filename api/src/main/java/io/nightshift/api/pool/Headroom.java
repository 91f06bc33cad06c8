package io.nightshift.api.pool;

import io.nightshift.api.Resources;

/**
 * What each machine of a pool keeps free for its owners on top of their measured load: a share of the
 * machine's cpus ({@code cpuPercent}, 0-100) and an amount of memory ({@code memMb}).
 */
public record Headroom(double cpuPercent, long memMb) {
    public static final Headroom NONE = new Headroom(0, 0);

    /** The headroom of an agent with {@code total} resources. */
    public Resources of(Resources total) {
        return new Resources(Math.round(total.cpus() * cpuPercent * 100) / 10_000d, memMb, 0, 0);
    }
}
