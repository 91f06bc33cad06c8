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

    /** Tasks still waiting, why, and (when the queue's recent finish rate allows) when the first may start. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pending(List<String> tasks, List<PendingReason> reasons, java.time.Instant eta) {
        public Pending(List<String> tasks, List<PendingReason> reasons) {
            this(tasks, reasons, null);
        }
    }
}
