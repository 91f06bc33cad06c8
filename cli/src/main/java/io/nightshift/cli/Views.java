package io.nightshift.cli;

import io.nightshift.api.Resources;
import io.nightshift.api.client.QueueView;
import io.nightshift.api.config.Config;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.model.Task;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.queue.QueueSpecParser;
import io.nightshift.api.state.TaskState;
import io.nightshift.coordinator.simulation.SimulationResult;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
        return jobsTable(jobs, zone, Style.PLAIN);
    }

    /** The same, states coloured by {@code style}. */
    static String jobsTable(List<Job> jobs, ZoneId zone, Style style) {
        Table t = Table.of("ID", "NAME", "STATE", "QUEUE", "SUBMITTED");
        for (Job j : jobs)
            t.row(j.id(), j.spec() == null ? null : j.spec().name(), style.state(jobState(j)),
                    j.spec() == null ? null : j.spec().queue(), dateTime(j.submittedAt(), zone));
        return t.render();
    }

    /** {@code 0.0}, {@code 37.5}, {@code 100.0}: a fraction in [0, 1] as a percentage with one decimal. */
    static String percent(double fraction) {
        return BigDecimal.valueOf(fraction * 100).setScale(1, RoundingMode.HALF_UP).toPlainString();
    }

    /** {@code 42s}, {@code 5m}, {@code 1h 5m}, {@code 2d 3h}: the two largest units, rounded down to the second. */
    static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        long days = s / 86_400, hours = s / 3600 % 24, minutes = s / 60 % 60, seconds = s % 60;
        if (days > 0) return days + "d" + (hours > 0 ? " " + hours + "h" : "");
        if (hours > 0) return hours + "h" + (minutes > 0 ? " " + minutes + "m" : "");
        if (minutes > 0) return minutes + "m" + (seconds > 0 ? " " + seconds + "s" : "");
        return seconds + "s";
    }

    /** {@code status ID}: the job, then each run with its tasks' attempts, then why it waits (while it does). */
    static String jobDetail(JobDetail d, ZoneId zone) {
        return jobDetail(d, null, null, zone);
    }

    /**
     * The same, with the coordinator's estimate of when the waiting tasks start ({@code eta}, null when it
     * has none) shown next to why they wait, and how far that is from {@code now}.
     */
    static String jobDetail(JobDetail d, Instant eta, Instant now, ZoneId zone) {
        return jobDetail(d, eta, now, zone, false);
    }

    /** The same; {@code bars}: fetch progress as a bar (on a terminal) rather than plain figures. */
    static String jobDetail(JobDetail d, Instant eta, Instant now, ZoneId zone, boolean bars) {
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
        if (j.spec() != null && j.spec().schedule() != null) {
            io.nightshift.api.spec.ScheduleSpec s = j.spec().schedule();
            head.row("Schedule", s.cron() != null ? "cron \"" + s.cron() + "\" (" + s.syntax().wire() + ", " + s.zone() + ")"
                    : "at " + dateTime(s.at(), zone));
            io.nightshift.api.model.ScheduleState st = j.schedule();
            if (st != null) {
                head.row("Next fire", st.paused() ? "paused" : st.nextFireAt() == null ? "none" : dateTime(st.nextFireAt(), zone));
                head.row("Firings", st.fired() + " fired, " + st.skipped() + " skipped" + (st.owed().isEmpty() ? "" : ", " + st.owed().size() + " waiting"));
            }
        }
        // The two-column head table has an empty header line; drop it.
        String headText = head.render();
        sb.append(headText.substring(headText.indexOf('\n') + 1));

        List<JobDetail.RunDetail> runs = d.runs() == null ? List.of() : d.runs();
        for (JobDetail.RunDetail r : runs) {
            sb.append('\n').append("Run ").append(r.run().id()).append("  ").append(r.run().state());
            if (r.run().scheduledFor() != null) sb.append("  for ").append(dateTime(r.run().scheduledFor(), zone));
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
            for (Task task : r.tasks() == null ? List.<Task>of() : r.tasks()) {
                Attempt a = task.currentAttempt();
                if (a != null && a.app() != null) sb.append(appInfo(task.id(), a));
                if (a == null || a.fetch() == null || a.state() != TaskState.FETCHING) continue;
                sb.append("  fetch ").append(task.id()).append(" attempt ").append(a.number()).append(": ")
                        .append(fetchProgress(a.fetch(), bars)).append('\n');
                for (io.nightshift.api.model.FetchProgress.Artifact art : a.fetch().artifacts())
                    sb.append("    ").append(art.target()).append("  ").append(art.state()).append("  ")
                            .append(mib(art.bytesDone(), art.bytesTotal())).append('\n');
            }
        }
        if (runs.isEmpty()) sb.append('\n').append("No run yet.\n");

        boolean waiting = j.state() != null && !j.state().isTerminal() && d.pending() != null;
        if (j.reason() == io.nightshift.api.state.Reason.UNSCHEDULABLE && d.pending() != null) {   // why it gave up
            sb.append('\n').append("Unschedulable: ").append(d.pending().tasks().size()).append(" task(s) waited too long\n");
            for (PendingReason pr : d.pending().reasons()) sb.append("  ").append(pendingReason(pr)).append('\n');
        }
        if (waiting && (!d.pending().reasons().isEmpty() || !d.pending().tasks().isEmpty() || eta != null)) {
            int n = d.pending().tasks().size();
            sb.append('\n').append("Pending: ").append(n).append(n == 1 ? " task waiting" : " tasks waiting");
            if (eta != null) sb.append(", expected to start ").append(eta(eta, now, zone));
            sb.append('\n');
            JobDetail.Reservation r = d.pending().reservation();
            if (r != null) {
                int agents = r.agents().size();
                sb.append("  reserved from ").append(eta(r.start(), now, zone)).append(" on ").append(agents)
                        .append(agents == 1 ? " agent" : " agents").append(" (").append(String.join(", ", r.agents())).append(")\n");
            }
            for (PendingReason pr : d.pending().reasons()) sb.append("  ").append(pendingReason(pr)).append('\n');
        }
        return sb.toString();
    }

    /**
     * What a driver told about its application, under the attempts table:
     * {@code   spark j.r1.0 attempt 1: app local-17  UI http://h1:4040} (the UI only while it runs: it ends with the driver).
     */
    static String appInfo(String taskId, Attempt a) {
        io.nightshift.api.model.AppInfo app = a.app();
        StringBuilder b = new StringBuilder("  ");
        if (app.sparkAppId() != null || app.driverUiUrl() != null) {
            b.append("spark ").append(taskId).append(" attempt ").append(a.number()).append(": app ")
                    .append(app.sparkAppId() == null ? "(not known yet)" : app.sparkAppId());
            if (app.driverUiUrl() != null && a.state().isActive()) b.append("  UI ").append(app.driverUiUrl());
        } else {
            b.append("hadoop ").append(taskId).append(" attempt ").append(a.number()).append(":");
        }
        if (app.hadoopJobId() != null) b.append(" job ").append(app.hadoopJobId());
        return b.append('\n').toString();
    }

    /** Width of a fetch progress bar, in cells. */
    static final int BAR = 24;

    /**
     * An attempt's fetch progress: {@code [██████░░░░░░]  45%  90.0 of 200.0 MiB} with {@code bar}, else
     * {@code 90.0 of 200.0 MiB (45%)}; without a percentage while the total is unknown.
     */
    static String fetchProgress(io.nightshift.api.model.FetchProgress f, boolean bar) {
        double frac = f.fraction();
        String figures = mib(f.bytesDone(), f.bytesTotal());
        if (!bar) return frac < 0 ? figures : figures + " (%d%%)".formatted((int) Math.floor(frac * 100));
        if (frac < 0) return "[" + "?".repeat(BAR) + "]  " + figures;
        int full = (int) Math.round(frac * BAR);
        return "[" + "\u2588".repeat(full) + "\u2591".repeat(BAR - full) + "] %3d%%  ".formatted((int) Math.floor(frac * 100))
                + figures;
    }

    /** {@code 12.0 of 200.0 MiB}, or {@code 12.0 MiB} when the total is unknown. */
    static String mib(long done, long total) {
        return total < 0 ? "%.1f MiB".formatted(done / 1048576.0)
                : "%.1f of %.1f MiB".formatted(done / 1048576.0, total / 1048576.0);
    }

    /** {@code 2025-03-01 10:05:00 (in 5m)}; without the distance when {@code now} is unknown or already past it. */
    static String eta(Instant eta, Instant now, ZoneId zone) {
        String at = dateTime(eta, zone);
        return now != null && eta.isAfter(now) ? at + " (in " + duration(Duration.between(now, eta)) + ")" : at;
    }

    /** The coordinator's own sentence for why a task waits, as the API and the dashboard show it; its code when it has none. */
    static String pendingReason(PendingReason r) {
        return r.message() == null || r.message().isBlank() ? r.code() : r.message();
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
        Table t = Table.of("ID", "HOST", "STATUS", "POOL", "CPUS FREE/TOTAL", "MEM MiB FREE/TOTAL", "OWNER CPUS/MiB",
                "IDLE CPUS/MiB", "ISOLATION").alignRight(4, 5, 6, 7);
        for (AgentInfo a : agents) {
            Resources total = a.total() == null ? Resources.ZERO : a.total();
            Resources free = total.minus(a.allocated());
            t.row(a.id(), a.host(), a.status(), a.pool(), cpus(free.cpus()) + "/" + cpus(total.cpus()),
                    free.memMb() + "/" + total.memMb(),
                    a.ownerLoad() == null ? null : cpus(a.ownerLoad().cpus()) + "/" + a.ownerLoad().memMb(),
                    a.idle() == null ? null : cpus(a.idle().cpus()) + "/" + a.idle().memMb(), a.isolation());
        }
        return t.render();
    }

    /**
     * {@code queues}: each queue's definition and its share at the latest offer cycle. Guarantee and limit
     * are {@code cpus/MiB} (with {@code +N gpus} when it names gpus); a {@code *} dimension of a limit is
     * unlimited; shares are percentages of the cluster (dominant share).
     */
    static String queuesTable(List<QueueView> queues) {
        Table t = Table.of("NAME", "WEIGHT", "GUARANTEE CPUS/MiB", "LIMIT CPUS/MiB", "MAX RUNNING", "SHARE %", "FAIR %",
                "PENDING", "RUNNING").alignRight(1, 4, 5, 6, 7, 8);
        for (QueueView q : queues) {
            QueueSpec s = q.spec();
            QueueView.Share sh = q.share();
            t.row(s.name(), cpus(s.weight()), guarantee(s.guarantee()), limit(s.limit()), s.maxRunning(),
                    sh == null ? null : percent(sh.share()), sh == null ? null : percent(sh.fairShare()),
                    sh == null ? null : sh.pending(), sh == null ? null : sh.running());
        }
        return t.render();
    }

    /** {@code 4/8192}, {@code 4/8192 +1 gpus}; null (shown as {@code -}) for no guarantee. */
    static String guarantee(Resources g) {
        if (g == null || g.isZero()) return null;
        return cpus(g.cpus()) + "/" + g.memMb() + (g.gpus() > 0 ? " +" + g.gpus() + " gpus" : "");
    }

    /** {@code 16/65536}, {@code 16/*} (memory unlimited), {@code 8/* +0 gpus}; null for no limit. */
    static String limit(Resources l) {
        if (l == null) return null;
        Resources max = QueueSpecParser.UNLIMITED;
        boolean cpusUnlimited = l.cpus() >= max.cpus(), memUnlimited = l.memMb() >= max.memMb(),
                gpusUnlimited = l.gpus() >= max.gpus();
        if (cpusUnlimited && memUnlimited && gpusUnlimited) return null;
        return (cpusUnlimited ? "*" : cpus(l.cpus())) + "/" + (memUnlimited ? "*" : Long.toString(l.memMb()))
                + (gpusUnlimited ? "" : " +" + l.gpus() + " gpus");
    }

    /** {@code simulate -o table}: the run in a few lines, then one row per queue, then the charts written. */
    static String simulation(SimulationResult r, String outDir) {
        StringBuilder sb = new StringBuilder();
        Table head = Table.of("", "");
        head.row("Simulated", duration(Duration.ofSeconds(Math.round(r.simulatedSeconds()))) + " on " + r.agents()
                + (r.agents() == 1 ? " agent" : " agents") + ", seed " + r.seed() + ", " + r.cycles() + " cycles");
        head.row("Tasks", "submitted " + r.submitted() + ", started " + r.started() + ", finished " + r.finished()
                + ", preempted " + r.preemptions() + "; at the end " + r.pendingAtEnd() + " pending, "
                + r.runningAtEnd() + " running"
                + (r.refused() > 0 ? "; " + r.refused() + " jobs refused, their queue full (coordinator.queue.max-queued)" : ""));
        head.row("Utilization", "cpus " + percent(value(r.utilization(), "cpus")) + " %, memory "
                + percent(value(r.utilization(), "memMb")) + " %");
        Map<String, Double> w = r.waitSeconds();
        head.row("Wait (s)", "p50 " + cpus(value(w, "p50")) + ", p90 " + cpus(value(w, "p90")) + ", p99 "
                + cpus(value(w, "p99")) + ", max " + cpus(value(w, "max")));
        Map<String, Double> c = r.cycleMillis();
        head.row("Cycle (ms)", "mean " + cpus(value(c, "mean")) + ", p99 " + cpus(value(c, "p99")) + ", max "
                + cpus(value(c, "max")) + " (wall clock)");
        String headText = head.render();
        sb.append(headText.substring(headText.indexOf('\n') + 1)).append('\n');
        Table t = Table.of("QUEUE", "WEIGHT", "SHARE %", "FAIR %", "ERROR %", "STARTED", "FINISHED", "PREEMPTED",
                "WAIT P50 s", "WAIT P99 s").alignRight(1, 2, 3, 4, 5, 6, 7, 8, 9);
        for (Map.Entry<String, SimulationResult.QueueSummary> e : r.queues().entrySet()) {
            SimulationResult.QueueSummary q = e.getValue();
            t.row(e.getKey(), cpus(q.weight()), percent(q.meanShare()), percent(q.meanIdeal()), percent(q.relativeError()),
                    q.started(), q.finished(), q.preempted(), cpus(q.waitP50()), cpus(q.waitP99()));
        }
        sb.append(t.render());
        if (r.figures() != null) {
            sb.append('\n');
            Table f = Table.of("JOBS", "", "UTIL %", "WAIT MEAN s", "P50", "P90", "P99", "SLOWDOWN MEAN", "P99", "GANG WAIT MEAN s")
                    .alignRight(0, 2, 3, 4, 5, 6, 7, 8, 9);
            figures(f, "simulated", r.figures());
            if (r.recorded() != null) figures(f, "recorded", r.recorded());
            sb.append(f.render());
        }
        if (!r.charts().isEmpty()) sb.append('\n').append("Charts in ").append(outDir).append(": ")
                .append(String.join(", ", r.charts())).append('\n');
        return sb.toString();
    }

    /** One row of the job figures: ours, or the trace's recorded ones. */
    private static void figures(Table t, String what, SimulationResult.Figures f) {
        t.row(f.jobs(), what, percent(f.utilization()), cpus(value(f.waitSeconds(), "mean")), cpus(value(f.waitSeconds(), "p50")),
                cpus(value(f.waitSeconds(), "p90")), cpus(value(f.waitSeconds(), "p99")), cpus(value(f.boundedSlowdown(), "mean")),
                cpus(value(f.boundedSlowdown(), "p99")), cpus(value(f.gangWaitSeconds(), "mean")));
    }

    private static double value(Map<String, Double> m, String key) {
        Double v = m == null ? null : m.get(key);
        return v == null ? 0 : v;
    }

    /** {@code config}: every declared setting with its effective value (secrets masked), where it came from, and what it does. */
    static String configTable(Config config) {
        Table t = Table.of("KEY", "VALUE", "SOURCE", "DESCRIPTION");
        for (Config.Entry e : config.entries())
            t.row(e.setting().name(), e.display(), e.source().name().toLowerCase(Locale.ROOT), e.setting().doc());
        return t.render();
    }
}
