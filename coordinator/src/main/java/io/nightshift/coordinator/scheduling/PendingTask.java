package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.spec.Constraint;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A task waiting for a place.
 *
 * @param priority    higher is placed first (inside its queue)
 * @param queuedAt    when it became pending; older is placed first among equal priorities and deadlines
 * @param notBefore   nullable: retry back-off; the task is not placed while {@code notBefore} is after
 *                    the snapshot's {@code now}
 * @param resources   what one instance needs on one agent
 * @param queue       the queue it is submitted to; {@code default} unless set
 * @param runId       the run it belongs to: the gang group, and the scope of constraint counts' run;
 *                    defaults to {@code jobId}
 * @param instances   how many instances the run has (GROUP_BY spreads them; a gang needs all); ≥ 1
 * @param gang        all {@code instances} of the run start in the same cycle or none does
 * @param constraints placement constraints of the job; empty when none
 * @param deadline    nullable: inside a queue, at equal priority, earlier deadlines go first
 * @param pendingTimeout nullable: the task may wait unplaced until {@code queuedAt + pendingTimeout}; a cycle
 *                    at or after that lists it in {@link Plan#unschedulable()} (null: it waits forever)
 * @param maxRuntime  nullable: the longest it runs once started (the job's {@code maxRuntime}); a task with one
 *                    may backfill in front of a {@link Reservation} when it ends before the reservation starts,
 *                    and with a window it must fit before the window closes
 * @param revocable   it may run on capacity a pool lends (and be revoked when it is taken back)
 * @param window      nullable: the pool window it may start only inside
 */
public record PendingTask(String taskId, String jobId, int priority, Instant queuedAt, Instant notBefore,
                          Resources resources, String queue, String runId, int instances, boolean gang,
                          List<Constraint> constraints, Instant deadline, java.time.Duration pendingTimeout,
                          java.time.Duration maxRuntime, boolean revocable, String window) {

    public static final String DEFAULT_QUEUE = "default";

    public PendingTask {
        if (taskId == null || taskId.isBlank()) {
            throw new IllegalArgumentException("taskId must not be blank");
        }
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("jobId of task " + taskId + " must not be blank");
        }
        Objects.requireNonNull(queuedAt, () -> "queuedAt of task " + taskId);
        Objects.requireNonNull(resources, () -> "resources of task " + taskId);
        queue = queue == null ? DEFAULT_QUEUE : queue;
        runId = runId == null ? jobId : runId;
        instances = Math.max(1, instances);
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
    }

    /** A task without a known run time that takes only unreserved capacity and has no window. */
    public PendingTask(String taskId, String jobId, int priority, Instant queuedAt, Instant notBefore,
            Resources resources, String queue, String runId, int instances, boolean gang, List<Constraint> constraints,
            Instant deadline, java.time.Duration pendingTimeout) {
        this(taskId, jobId, priority, queuedAt, notBefore, resources, queue, runId, instances, gang, constraints, deadline,
                pendingTimeout, null, false, null);
    }

    /** A task with a known run time that takes only unreserved capacity and has no window. */
    public PendingTask(String taskId, String jobId, int priority, Instant queuedAt, Instant notBefore,
            Resources resources, String queue, String runId, int instances, boolean gang, List<Constraint> constraints,
            Instant deadline, java.time.Duration pendingTimeout, java.time.Duration maxRuntime) {
        this(taskId, jobId, priority, queuedAt, notBefore, resources, queue, runId, instances, gang, constraints, deadline,
                pendingTimeout, maxRuntime, false, null);
    }

    /** The same task, revocable or not, waiting for {@code windowName} (null: none), expected to run {@code runtime}. */
    public PendingTask night(boolean isRevocable, String windowName, java.time.Duration runtime) {
        return new PendingTask(taskId, jobId, priority, queuedAt, notBefore, resources, queue, runId, instances, gang,
                constraints, deadline, pendingTimeout, runtime, isRevocable, windowName);
    }

    /** A task of the default queue without constraints, gang or deadline (the first core's task). */
    public PendingTask(String taskId, String jobId, int priority, Instant queuedAt, Instant notBefore,
            Resources resources) {
        this(taskId, jobId, priority, queuedAt, notBefore, resources, DEFAULT_QUEUE, jobId, 1, false, List.of(), null, null);
    }

    /** A task without a pending timeout. */
    public PendingTask(String taskId, String jobId, int priority, Instant queuedAt, Instant notBefore,
            Resources resources, String queue, String runId, int instances, boolean gang, List<Constraint> constraints,
            Instant deadline) {
        this(taskId, jobId, priority, queuedAt, notBefore, resources, queue, runId, instances, gang, constraints, deadline,
                null);
    }

    /** When it stops waiting unplaced and its job ends UNSCHEDULABLE; null when it waits forever. */
    public Instant pendingDeadline() {
        return pendingTimeout == null ? null : queuedAt.plus(pendingTimeout);
    }

    /** True when the task is still in retry back-off at {@code now}. */
    public boolean backingOffAt(Instant now) {
        return notBefore != null && notBefore.isAfter(now);
    }

    /** True when its run must start all instances together (a gang of more than one). */
    public boolean isGang() {
        return gang && instances > 1;
    }

    public PendingTask inQueue(String v) {
        return new PendingTask(taskId, jobId, priority, queuedAt, notBefore, resources, v, runId, instances, gang,
                constraints, deadline, pendingTimeout, maxRuntime, revocable, window);
    }

    /** Belongs to run {@code run} of {@code count} instances; {@code gang}: they start together or not at all. */
    public PendingTask inRun(String run, int count, boolean isGang) {
        return new PendingTask(taskId, jobId, priority, queuedAt, notBefore, resources, queue, run, count, isGang,
                constraints, deadline, pendingTimeout, maxRuntime, revocable, window);
    }

    public PendingTask withConstraints(List<Constraint> v) {
        return new PendingTask(taskId, jobId, priority, queuedAt, notBefore, resources, queue, runId, instances, gang,
                v, deadline, pendingTimeout, maxRuntime, revocable, window);
    }

    public PendingTask withMaxRuntime(java.time.Duration v) {
        return new PendingTask(taskId, jobId, priority, queuedAt, notBefore, resources, queue, runId, instances, gang,
                constraints, deadline, pendingTimeout, v, revocable, window);
    }

    public PendingTask withDeadline(Instant v) {
        return new PendingTask(taskId, jobId, priority, queuedAt, notBefore, resources, queue, runId, instances, gang,
                constraints, v, pendingTimeout, maxRuntime, revocable, window);
    }
}
