package io.nightshift.harness.kafka;

import io.nightshift.sdk.kafka.HandlerContext;
import java.nio.file.Path;
import java.util.Map;

/**
 * Who this harness runs as, from the environment the agent gives every task. {@link #groupInstanceId()} is
 * the static membership id: {@code <jobId>-<instance>}, the same for every retry and run of the instance, so a
 * restart inside the session timeout takes its partitions back without rebalancing the group.
 */
public record TaskInfo(String jobId, String taskId, int instance, Path sandbox) {
    public static final String INSTANCE_ENV = "NIGHTSHIFT_INSTANCE";

    public static TaskInfo fromEnvironment(Map<String, String> env) {
        String jobId = require(env, "NIGHTSHIFT_JOB_ID");
        String taskId = require(env, "NIGHTSHIFT_TASK_ID");
        String sandbox = require(env, "NIGHTSHIFT_SANDBOX");
        String instance = env.get(INSTANCE_ENV);
        int n;
        if (instance != null) {
            n = Integer.parseInt(instance);
        } else {
            int dot = taskId.lastIndexOf('.');
            n = Integer.parseInt(taskId.substring(dot + 1));
        }
        return new TaskInfo(jobId, taskId, n, Path.of(sandbox));
    }

    private static String require(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isEmpty()) throw new IllegalArgumentException(name + " is not set: the harness runs as a Nightshift task");
        return v;
    }

    public String groupInstanceId() {
        return jobId + "-" + instance;
    }

    HandlerContext context(String groupId) {
        TaskInfo self = this;
        return new HandlerContext() {
            @Override public String jobId() { return self.jobId; }
            @Override public String taskId() { return self.taskId; }
            @Override public int instance() { return self.instance; }
            @Override public String groupId() { return groupId; }
            @Override public Path sandbox() { return self.sandbox; }
        };
    }
}
