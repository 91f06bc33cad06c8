package io.nightshift.api.client;

import io.nightshift.api.model.Job;
import java.util.List;

/** One page of {@code GET /v1/jobs}: the jobs, and the cursor for the next page ({@code null} on the last one). */
public record JobPage(List<Job> jobs, String next) {
    public JobPage {
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
    }
}
