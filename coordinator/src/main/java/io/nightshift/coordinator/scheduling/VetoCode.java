package io.nightshift.coordinator.scheduling;

import io.nightshift.api.spec.Constraint;

/**
 * Every reason the core gives for not placing a task, as one closed set. {@link #wire()} is the code the
 * API, the CLI and the simulator show ({@code insufficient.cpus}, {@code constraint.unique}, …); it never
 * changes for a constant, so clients may match on it.
 *
 * <p>Groups: per agent (a check of the placement stack vetoed one agent: resources, offers, decline
 * filters, constraints, installed filters), per task (back-off, no agent at all, the queue's limits),
 * and per gang or preemption (the task waits for its gang or for victims to exit).
 */
public enum VetoCode {
    INSUFFICIENT_CPUS("insufficient.cpus", "cpus"),
    INSUFFICIENT_MEM("insufficient.memMb", "memMb"),
    INSUFFICIENT_DISK("insufficient.diskMb", "diskMb"),
    INSUFFICIENT_GPUS("insufficient.gpus", "gpus"),
    /** The agent is offered to another queue until that offer expires or is declined. */
    OFFER_OTHER_QUEUE("offer.other-queue", null),
    /** The task's queue declined the agent with a filter that has not run out. */
    OFFER_DECLINED("offer.declined", null),
    /** The agent has nothing free to offer (and no other check vetoed it). */
    NO_OFFER("no.offer", null),
    CONSTRAINT_UNIQUE("constraint.unique", null),
    CONSTRAINT_CLUSTER("constraint.cluster", null),
    CONSTRAINT_GROUP_BY("constraint.group-by", null),
    CONSTRAINT_LIKE("constraint.like", null),
    CONSTRAINT_UNLIKE("constraint.unlike", null),
    CONSTRAINT_MAX_PER("constraint.max-per", null),
    /** The agent lacks the attribute a constraint names. */
    CONSTRAINT_ATTRIBUTE("constraint.attribute", null),
    /** A filter installed next to the built-in checks vetoed the agent; its message says why. */
    FILTER("filter", null),
    /** The task is in retry back-off. */
    BACKOFF("backoff", null),
    /** The snapshot has no agent at all. */
    NO_AGENTS("no.agents", null),
    QUEUE_UNKNOWN("queue.unknown", null),
    QUEUE_LIMIT("queue.limit", null),
    QUEUE_MAX_RUNNING("queue.max-running", null),
    /** Not every instance of the gang is pending yet. */
    GANG_WAITING("gang.waiting", null),
    /** Not every instance of the gang fits this cycle. */
    GANG_INCOMPLETE("gang.incomplete", null),
    /** The task waits for tasks preempted for it to exit. */
    PREEMPTION_PENDING("preemption.pending", null),
    /** Every agent vetoes the task STATICally: no agent could ever hold it as the cluster is. */
    NEVER("unschedulable", null),
    /** The task waited unplaced longer than its {@code pendingTimeout}: its job ends UNSCHEDULABLE. */
    PENDING_TIMEOUT("pending.timeout", null),
    /** No agent admitted the task and none said why (a filter that vetoes without a veto). */
    UNPLACED("unplaced", null),
    /**
     * The agent's room is reserved for a waiting gang (or wide task) from a set time, and the task would still
     * run then (no {@code maxRuntime}, or one that ends after the reservation starts): EASY backfill.
     */
    RESERVED("reservation", null),
    /** The agent's free capacity is lent by its pool's owners; only revocable tasks may use it. */
    CAPACITY_LENT("capacity.lent", null),
    /** The task may start only inside a window of the agent's pool, and it is closed now. */
    WINDOW_CLOSED("window.closed", null),
    /** The window is open but closes before the task's expected runtime (maxRuntime) would end. */
    WINDOW_TOO_SHORT("window.too-short", null),
    /** The agent's pool has no window of that name (or the agent is in no pool). */
    WINDOW_UNKNOWN("window.unknown", null);

    private final String wire;
    private final String resource;

    VetoCode(String wire, String resource) {
        this.wire = wire;
        this.resource = resource;
    }

    /** The code as the API shows it. */
    public String wire() {
        return wire;
    }

    /** The resource dimension of an {@code insufficient.*} code, else null. */
    public String resource() {
        return resource;
    }

    public boolean isResource() {
        return resource != null;
    }

    /** The {@code insufficient.*} code of {@code resource} ({@code cpus}, {@code memMb}, {@code diskMb}, {@code gpus}). */
    public static VetoCode insufficient(String resource) {
        return switch (resource) {
            case "cpus" -> INSUFFICIENT_CPUS;
            case "memMb" -> INSUFFICIENT_MEM;
            case "diskMb" -> INSUFFICIENT_DISK;
            case "gpus" -> INSUFFICIENT_GPUS;
            default -> throw new IllegalArgumentException("unknown resource '" + resource + "'");
        };
    }

    /** The code of a constraint operator's veto. */
    public static VetoCode of(Constraint.Operator op) {
        return switch (op) {
            case UNIQUE -> CONSTRAINT_UNIQUE;
            case CLUSTER -> CONSTRAINT_CLUSTER;
            case GROUP_BY -> CONSTRAINT_GROUP_BY;
            case LIKE -> CONSTRAINT_LIKE;
            case UNLIKE -> CONSTRAINT_UNLIKE;
            case MAX_PER -> CONSTRAINT_MAX_PER;
        };
    }

    @Override
    public String toString() {
        return wire;
    }
}
