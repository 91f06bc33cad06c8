package io.nightshift.api.queue;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nightshift.api.Resources;
import java.util.Objects;

/**
 * A tenant's share of the cluster. Parsed and checked by {@link QueueSpecParser}; this record only
 * applies defaults and guards its invariants.
 *
 * @param name            {@code [a-z0-9][a-z0-9_-]{0,63}}; jobs name it in {@code queue}
 * @param weight          in (0, 1000]: with weighted DRF a queue of weight 2 gets twice the dominant share
 *                        of a queue of weight 1 when both want more
 * @param guarantee       resources the queue gets before any queue above its guarantee, while it has
 *                        demand; {@link Resources#ZERO} (the default) means none
 * @param limit           never more than this in any dimension; {@code null} (the default) means no limit
 * @param maxRunning      at most this many tasks running at once; {@code null} means no cap
 * @param defaultPriority priority of the queue's jobs that do not set one, -1000..1000
 * @param acl             subjects that may administer, submit into or read the queue ({@link QueueAcl#EMPTY}: none)
 * @param pendingTimeout  how long a task of the queue's jobs that set none may wait unplaced before its job
 *                        ends UNSCHEDULABLE; {@code null} (the default) means wait forever
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueueSpec(String name, double weight, Resources guarantee, Resources limit, Integer maxRunning,
                        int defaultPriority, QueueAcl acl, java.time.Duration pendingTimeout) {

    /** The queue every job goes to unless it names another. It always exists. */
    public static final String DEFAULT_NAME = "default";
    /** The default queue as it is unless an operator redefines it: weight 1, no guarantee, no limit. */
    public static final QueueSpec DEFAULT = new QueueSpec(DEFAULT_NAME, 1, Resources.ZERO, null, null, 0);

    public QueueSpec {
        Objects.requireNonNull(name, "name");
        if (!(weight > 0) || weight > QueueSpecParser.MAX_WEIGHT) {
            throw new IllegalArgumentException("queue %s: weight must be in (0, 1000], got %s".formatted(name, weight));
        }
        guarantee = guarantee == null ? Resources.ZERO : guarantee;
        if (limit != null && !limit.fits(guarantee)) {
            throw new IllegalArgumentException("queue %s: guarantee %s exceeds limit %s".formatted(name, guarantee, limit));
        }
        if (maxRunning != null && maxRunning < 1) {
            throw new IllegalArgumentException("queue %s: maxRunning must be at least 1, got %d".formatted(name, maxRunning));
        }
        acl = acl == null ? QueueAcl.EMPTY : acl;
    }

    /** A queue without an ACL of its own and without a pending timeout. */
    public QueueSpec(String name, double weight, Resources guarantee, Resources limit, Integer maxRunning, int defaultPriority) {
        this(name, weight, guarantee, limit, maxRunning, defaultPriority, QueueAcl.EMPTY, null);
    }

    /** A queue without a pending timeout. */
    public QueueSpec(String name, double weight, Resources guarantee, Resources limit, Integer maxRunning, int defaultPriority,
                     QueueAcl acl) {
        this(name, weight, guarantee, limit, maxRunning, defaultPriority, acl, null);
    }

    /** A queue without an ACL of its own. */
    public QueueSpec(String name, double weight, Resources guarantee, Resources limit, Integer maxRunning, int defaultPriority,
                     java.time.Duration pendingTimeout) {
        this(name, weight, guarantee, limit, maxRunning, defaultPriority, QueueAcl.EMPTY, pendingTimeout);
    }

    public QueueSpec withAcl(QueueAcl v) {
        return new QueueSpec(name, weight, guarantee, limit, maxRunning, defaultPriority, v, pendingTimeout);
    }

    /** A queue with a weight and nothing else: no guarantee, no limit, default priority 0. */
    public static QueueSpec of(String name, double weight) {
        return new QueueSpec(name, weight, Resources.ZERO, null, null, 0);
    }

    public QueueSpec withGuarantee(Resources v) {
        return new QueueSpec(name, weight, v, limit, maxRunning, defaultPriority, acl, pendingTimeout);
    }

    public QueueSpec withLimit(Resources v) {
        return new QueueSpec(name, weight, guarantee, v, maxRunning, defaultPriority, acl, pendingTimeout);
    }

    public QueueSpec withMaxRunning(Integer v) {
        return new QueueSpec(name, weight, guarantee, limit, v, defaultPriority, acl, pendingTimeout);
    }

    public QueueSpec withPendingTimeout(java.time.Duration v) {
        return new QueueSpec(name, weight, guarantee, limit, maxRunning, defaultPriority, acl, v);
    }

    public QueueSpec withDefaultPriority(int v) {
        return new QueueSpec(name, weight, guarantee, limit, maxRunning, v, acl, pendingTimeout);
    }
}
