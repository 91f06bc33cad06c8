package io.nightshift.cli;

import io.nightshift.api.Resources;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Readable builders for API objects as a coordinator would return them. */
final class Fixtures {
    static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");

    private Fixtures() {
    }

    static Job job(String id, JobState state) {
        JobSpec spec = JobSpec.command("echo", "hi").id(id).name("Say hello").resources(0.5, 128).build();
        return new Job(1, id, spec, "hash", null, state, state == JobState.FAILED ? Reason.EXIT_CODE : null, false,
                T0, T0, state.isTerminal() ? T0.plusSeconds(2) : null, List.of(id + ".r1"));
    }

    static Attempt attempt(String taskId, int n, TaskState state, Integer exit) {
        return new Attempt(taskId + "." + n, n, "agent-1", "host-1", state,
                state.isTerminal() ? Reason.EXIT_CODE : null, exit, exit == null ? null : "exited with code " + exit,
                T0, T0.plusSeconds(n), state.isTerminal() ? T0.plusSeconds(n + 1) : null);
    }

    /** A job whose one task has the given attempts; the task takes the last attempt's state (PENDING when none). */
    static JobDetail detail(String id, JobState state, Attempt... attempts) {
        String taskId = id + ".r1.0";
        TaskState ts = attempts.length == 0 ? TaskState.PENDING : attempts[attempts.length - 1].state();
        Task task = new Task(1, taskId, id, id + ".r1", 0, ts, null, T0, null, List.of(attempts));
        Run run = new Run(1, id + ".r1", id, 1, state, T0, state.isTerminal() ? T0.plusSeconds(2) : null, List.of(taskId));
        return new JobDetail(job(id, state), List.of(new JobDetail.RunDetail(run, List.of(task))), null);
    }

    static JobDetail pending(String id, PendingReason... reasons) {
        JobDetail d = detail(id, JobState.QUEUED);
        return new JobDetail(d.job(), d.runs(), new JobDetail.Pending(List.of(id + ".r1.0"), List.of(reasons)));
    }

    static AgentInfo agent(String id, double cpus, long memMb, double usedCpus, long usedMem) {
        return new AgentInfo(1, id, "host-" + id, "http://127.0.0.1:1", AgentInfo.AgentStatus.ACTIVE,
                new Resources(cpus, memMb, 0, 0), Resources.of(usedCpus, usedMem), Map.of(), "session+env-scan",
                "0.1.0", T0, T0);
    }
}
