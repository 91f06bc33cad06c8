package io.nightshift.agent.runner;

import io.nightshift.agent.process.Supervisor;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task's complete environment, lowest precedence first:
 * <ol>
 *   <li>a small safe base taken from the agent's environment: {@code PATH} (default
 *       {@code /usr/local/bin:/usr/bin:/bin}), {@code HOME}, {@code LANG}, {@code TZ}, {@code JAVA_HOME};</li>
 *   <li>the job's {@code env}, then its {@code secrets} (values the coordinator resolved for this launch only);</li>
 *   <li>{@code NIGHTSHIFT_JOB_ID}, {@code NIGHTSHIFT_RUN_ID}, {@code NIGHTSHIFT_TASK_ID},
 *       {@code NIGHTSHIFT_ATTEMPT_ID}, {@code NIGHTSHIFT_SANDBOX}, {@code NIGHTSHIFT_EPOCH} (the epoch of the
 *       leader that launched it) and, for a run opened by a schedule, {@code NIGHTSHIFT_SCHEDULED_FOR}
 *       (the firing's scheduled time, ISO-8601) (a job cannot override them).</li>
 * </ol>
 * Nothing else of the agent's environment reaches a task.
 */
public final class TaskEnvironment {
    public static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "TZ", "JAVA_HOME");
    public static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    private TaskEnvironment() {
    }

    public static Map<String, String> of(Launch launch, TaskContext ctx) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        for (String k : INHERITED) {
            String v = ctx.agentEnv().get(k);
            if (v != null) env.put(k, v);
        }
        env.putAll(launch.spec().env());
        env.putAll(launch.secrets());
        env.put("NIGHTSHIFT_JOB_ID", nullToEmpty(launch.jobId()));
        env.put("NIGHTSHIFT_RUN_ID", nullToEmpty(launch.runId()));
        env.put("NIGHTSHIFT_TASK_ID", nullToEmpty(launch.taskId()));
        env.put(Supervisor.MARKER_ENV, launch.attemptId());
        env.put("NIGHTSHIFT_SANDBOX", ctx.sandboxDir().toString());
        env.put("NIGHTSHIFT_EPOCH", Long.toString(launch.epoch()));
        if (launch.scheduledFor() != null) env.put("NIGHTSHIFT_SCHEDULED_FOR", launch.scheduledFor().toString());
        if (launch.spec().revocable()) {
            // where the agent writes the instant by which a revoked attempt must have stopped (before its SIGTERM)
            env.put("NIGHTSHIFT_REVOCABLE", "true");
            env.put(REVOKE_DEADLINE_FILE_ENV, ctx.sandboxDir().resolve(REVOKE_DEADLINE_FILE).toString());
        }
        return env;
    }

    /** Environment variable naming the file that holds {@code NIGHTSHIFT_REVOKE_DEADLINE=<ISO instant>} once revoked. */
    public static final String REVOKE_DEADLINE_FILE_ENV = "NIGHTSHIFT_REVOKE_DEADLINE_FILE";
    /** The file in the sandbox the agent writes when it revokes the attempt. */
    public static final String REVOKE_DEADLINE_FILE = "revoke-deadline";

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
