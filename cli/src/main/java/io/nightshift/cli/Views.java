package io.nightshift.cli;

import io.nightshift.api.Resources;
import io.nightshift.api.config.Config;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.model.Task;
import io.nightshift.api.state.TaskState;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** How the client commands show things as text. Pure: the same input and zone give the same text. */
final class Views {
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Views() {
    }

    static String dateTime(Instant t, ZoneId zone) {
        return t == null ? null : DATE_TIME.format(t.atZone(zone));
    }

    static String time(Instant t, ZoneId zone) {
        return t == null ? null : TIME.format(t.atZone(zone));
    }

    /** {@code 0.5}, {@code 4}, {@code 0.01}: at most two decimals, no trailing zeros. */
    static String cpus(double v) {
        return BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    static String jobState(Job j) {
        String s = j.state() == null ? "?" : j.state().name();
        return j.killRequested() && j.state() != null && !j.state().isTerminal() ? s + " (killing)" : s;
    }

    /** {@code status} without an id. */
    static String jobsTable(List<Job> jobs, ZoneId zone) {
        Table t = Table.of("ID", "NAME", "STATE", "QUEUE", "SUBMITTED");
        for (Job j : jobs)
            t.row(j.id(), j.spec() == null ? null : j.spec().name(), jobState(j),
                    j.spec() == null ? null : j.spec().queue(), dateTime(j.submittedAt(), zone));
        return t.render();
    }

    /** {@code status ID}: the job, then each run with its tasks' attempts, then why it waits (while it does). */
    static String jobDetail(JobDetail d, ZoneId zone) {
        Job j = d.job();
        StringBuilder sb = new StringBuilder();
        Table head = Table.of("", "");
        head.row("Job", j.id());
        if (j.spec() != null && j.spec().name() != null && !j.spec().name().equals(j.id())) head.row("Name", j.spec().name());
        head.row("State", jobState(j) + (j.reason() == null ? "" : " (" + j.reason() + ")"));
        if (j.spec() != null) {
            head.row("Queue", j.spec().queue());
            head.row("Type", j.spec().type() == null ? null : j.spec().type().wire());
            head.row("Resources", resources(j.spec().resources()) + (j.spec().instances() > 1 ? " x " + j.spec().instances() : ""));
        }
        head.row("Submitted", dateTime(j.submittedAt(), zone));
        if (j.finishedAt() != null) head.row("Finished", dateTime(j.finishedAt(), zone));
        // The two-column head table has an empty header line; drop it.
        String headText = head.render();
        sb.append(headText.substring(headText.indexOf('\n') + 1));

        List<JobDetail.RunDetail> runs = d.runs() == null ? List.of() : d.runs();
        for (JobDetail.RunDetail r : runs) {
            sb.append('\n').append("Run ").append(r.run().id()).append("  ").append(r.run().state());
            if (r.run().createdAt() != null) sb.append("  created ").append(dateTime(r.run().createdAt(), zone));
            if (r.run().finishedAt() != null) sb.append("  finished ").append(dateTime(r.run().finishedAt(), zone));
            sb.append('\n');
            Table t = Table.of("TASK", "ATTEMPT", "STATE", "AGENT", "HOST", "EXIT", "REASON", "STARTED", "FINISHED", "MESSAGE")
                    .alignRight(1, 5);
            for (Task task : r.tasks() == null ? List.<Task>of() : r.tasks()) {
                for (Attempt a : task.attempts())
                    t.row(task.id(), a.number(), a.state(), a.agentId(), a.host(), a.exitCode(), a.reason(),
                            time(a.startedAt() != null ? a.startedAt() : a.launchedAt(), zone), time(a.finishedAt(), zone),
                            a.message());
                if (task.attempts().isEmpty() || task.state() == TaskState.PENDING) {
                    String note = task.notBefore() != null ? "retry not before " + time(task.notBefore(), zone)
                            : task.attempts().isEmpty() ? "waiting for a placement" : null;
                    t.row(task.id(), null, task.state(), null, null, null, task.reason(), null, null, note);
                }
            }
            sb.append(t.render("  "));
        }
        if (runs.isEmpty()) sb.append('\n').append("No run yet.\n");

        boolean waiting = j.state() != null && !j.state().isTerminal() && d.pending() != null;
        if (waiting && (!d.pending().reasons().isEmpty() || !d.pending().tasks().isEmpty())) {
            sb.append('\n').append("Pending: ").append(d.pending().tasks().size()).append(" task(s) waiting\n");
            for (PendingReason pr : d.pending().reasons()) sb.append("  ").append(pendingReason(pr)).append('\n');
        }
        return sb.toString();
    }

    static String pendingReason(PendingReason r) {
        String where = r.agents() > 0 ? " (" + r.agents() + (r.agents() == 1 ? " agent)" : " agents)") : "";
        return r.code() + where + (r.message() == null || r.message().isBlank() ? "" : ": " + r.message());
    }

    static String resources(Resources r) {
        if (r == null) return null;
        StringBuilder s = new StringBuilder().append(cpus(r.cpus())).append(" cpus, ").append(r.memMb()).append(" MiB");
        if (r.diskMb() > 0) s.append(", disk ").append(r.diskMb()).append(" MiB");
        if (r.gpus() > 0) s.append(", ").append(r.gpus()).append(" gpus");
        return s.toString();
    }

    /** {@code agents}: capacity as free/total. */
    static String agentsTable(List<AgentInfo> agents) {
        Table t = Table.of("ID", "HOST", "STATUS", "CPUS FREE/TOTAL", "MEM MiB FREE/TOTAL", "ISOLATION").alignRight(3, 4);
        for (AgentInfo a : agents) {
            Resources total = a.total() == null ? Resources.ZERO : a.total();
            Resources free = total.minus(a.allocated());
            t.row(a.id(), a.host(), a.status(), cpus(free.cpus()) + "/" + cpus(total.cpus()),
                    free.memMb() + "/" + total.memMb(), a.isolation());
        }
        return t.render();
    }

    /** {@code config}: every declared setting with its effective value (secrets masked), where it came from, and what it does. */
    static String configTable(Config config) {
        Table t = Table.of("KEY", "VALUE", "SOURCE", "DESCRIPTION");
        for (Config.Entry e : config.entries())
            t.row(e.setting().name(), e.display(), e.source().name().toLowerCase(Locale.ROOT), e.setting().doc());
        return t.render();
    }
}
