package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code GET /v1/jobs/{id}}: the job with its runs and their tasks (with attempts), and, while some
 * task is pending, the reasons why it waits.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobDetail(Job job, List<RunDetail> runs, Pending pending,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) java.util.Map<String, TaskProgress> progress) {

    public JobDetail {
        progress = progress == null ? java.util.Map.of() : java.util.Map.copyOf(progress);
    }

    /** Without progress (jobs whose tasks report none). */
    public JobDetail(Job job, List<RunDetail> runs, Pending pending) {
        this(job, runs, pending, null);
    }

    public record RunDetail(Run run, List<Task> tasks) {
    }

    /**
     * Tasks still waiting, why, when the first may start (from a reservation, or the queue's recent finish
     * rate), and the room reserved for them when they are first in line for it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pending(List<String> tasks, List<PendingReason> reasons, java.time.Instant eta, Reservation reservation) {
        public Pending(List<String> tasks, List<PendingReason> reasons) {
            this(tasks, reasons, null, null);
        }

        public Pending(List<String> tasks, List<PendingReason> reasons, java.time.Instant eta) {
            this(tasks, reasons, eta, null);
        }
    }

    /**
     * Room promised to a waiting gang (or wide task) from {@code start}, the earliest time enough of it frees up
     * by the running tasks' {@code maxRuntime}s; smaller work may use it meanwhile only if it ends before then.
     *
     * @param start     when all {@code instances} are expected to start
     * @param instances how many instances the room is for
     * @param agents    the agents the room is on, in id order
     */
    public record Reservation(java.time.Instant start, int instances, List<String> agents) {
        public Reservation {
            agents = agents == null ? List.of() : List.copyOf(agents);
        }
    }
}
