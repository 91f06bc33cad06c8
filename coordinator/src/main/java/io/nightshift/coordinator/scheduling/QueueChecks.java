package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;

import java.util.List;

/**
 * Checks of the task's queue that veto before any agent is looked at: {@code maxRunning} and the limit.
 * A gang is checked once for all its instances.
 */
final class QueueChecks {

    private QueueChecks() {
    }

    /** Null when queue {@code q} may start {@code tasks} more that ask {@code asked} in all; else why not. */
    static PendingReason veto(QueueState q, int tasks, Resources asked) {
        if (q.atMaxRunning(tasks)) {
            return Decisions.reason(VetoCode.QUEUE_MAX_RUNNING, "queue %s runs %d tasks, its maxRunning".formatted(q.name,
                    q.spec.maxRunning()));
        }
        if (!q.withinLimit(asked.cpus(), asked.memMb(), asked.diskMb(), asked.gpus())) {
            Resources l = q.spec.limit();
            return Decisions.reason(VetoCode.QUEUE_LIMIT, "queue %s is at its limit: holds %s cpus, %d memMb, %d gpus of %s, %d, %d; "
                    .formatted(q.name, Veto.number(q.cpus), q.mem, (long) q.gpus, Veto.number(l.cpus()), l.memMb(), l.gpus())
                    + "the task%s asks %s cpus, %d memMb, %d gpus".formatted(tasks > 1 ? "s" : "",
                    Veto.number(asked.cpus()), asked.memMb(), asked.gpus()));
        }
        return null;
    }

    /** Records {@code why} for every task of {@code tasks}. */
    static void vetoAll(Decisions d, List<PendingTask> tasks, PendingReason why) {
        for (PendingTask t : tasks) d.reasons.put(t.taskId(), List.of(why));
    }
}
