package io.nightshift.agent;

import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** Shared test fixtures: launches, a recording status sink, and a /proc scan for task markers. */
public final class TestSupport {
    private TestSupport() {
    }

    /** Unique per test run, so leftovers of another run are never confused with ours. */
    public static final String RUN = "t" + UUID.randomUUID().toString().substring(0, 8);
    private static int counter;

    public static synchronized String newAttemptId(String name) {
        return name + "." + RUN + "." + (++counter);
    }

    public static Launch launch(JobSpec spec) {
        String attemptId = newAttemptId(spec.id() == null ? "job" : spec.id());
        return launch(attemptId, spec);
    }

    public static Launch launch(String attemptId, JobSpec spec) {
        String jobId = spec.id() == null ? "job" : spec.id();
        return new Launch(jobId, jobId + ".r1", jobId + ".r1.0", attemptId, 1, spec);
    }

    /** One status report as the sink saw it. */
    public record Report(String taskId, String attemptId, TaskState state, Reason reason, Integer exitCode, String message,
                         io.nightshift.api.model.FetchProgress fetch) {
        public Report(String taskId, String attemptId, TaskState state, Reason reason, Integer exitCode, String message) {
            this(taskId, attemptId, state, reason, exitCode, message, null);
        }
    }

    /** A thread-safe StatusSink that keeps every report. */
    public static final class RecordingSink implements StatusSink {
        public final List<Report> reports = new CopyOnWriteArrayList<>();

        @Override
        public void report(String taskId, String attemptId, TaskState state, Reason reason, Integer exitCode, String message) {
            reports.add(new Report(taskId, attemptId, state, reason, exitCode, message));
        }

        @Override
        public void report(String taskId, String attemptId, TaskState state, String message,
                           io.nightshift.api.model.FetchProgress fetch) {
            reports.add(new Report(taskId, attemptId, state, null, null, message, fetch));
        }

        /** What running drivers told, in order. */
        public final List<io.nightshift.api.model.AppInfo> apps = new CopyOnWriteArrayList<>();

        @Override
        public void report(String taskId, String attemptId, String message, io.nightshift.api.model.AppInfo app) {
            apps.add(app);
            reports.add(new Report(taskId, attemptId, TaskState.RUNNING, null, null, message));
        }

        public List<TaskState> states(String attemptId) {
            return reports.stream().filter(r -> r.attemptId().equals(attemptId)).map(Report::state).toList();
        }

        public Report terminal(String attemptId) {
            return reports.stream().filter(r -> r.attemptId().equals(attemptId) && r.state().isTerminal())
                    .findFirst().orElse(null);
        }
    }

    /** Pids of living (non-zombie) processes whose environment holds {@code NIGHTSHIFT_ATTEMPT_ID=<attemptId>}. */
    public static List<Long> markedProcesses(String attemptId) {
        return markedProcessesWithPrefix(attemptId, true);
    }

    /** Pids of living processes of any attempt of this test run. */
    public static List<Long> processesOfThisRun() {
        return markedProcessesWithPrefix(RUN, false);
    }

    private static List<Long> markedProcessesWithPrefix(String value, boolean exact) {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : ds) {
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
                    if (state == 'Z' || state == 'X') continue;
                    String env = new String(Files.readAllBytes(dir.resolve("environ")), StandardCharsets.UTF_8);
                    for (String e : env.split("\0")) {
                        if (!e.startsWith("NIGHTSHIFT_ATTEMPT_ID=")) continue;
                        String v = e.substring("NIGHTSHIFT_ATTEMPT_ID=".length());
                        if (exact ? v.equals(value) : v.contains(value)) out.add(Long.parseLong(dir.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException ignored) {
                    // process gone
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** Safety net for @AfterAll: SIGKILL whatever a failed test left running. */
    public static void killLeftovers() {
        for (long pid : processesOfThisRun()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
}
