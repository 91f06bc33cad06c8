package io.nightshift.agent;

import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;

/** Where attempt state changes go (the status journal, which numbers, queues and sends them). */
@FunctionalInterface
public interface StatusSink {
    void report(String taskId, String attemptId, TaskState state, Reason reason, Integer exitCode, String message);

    /** A FETCHING update with the fetch step's progress; a sink that keeps no progress drops it. */
    default void report(String taskId, String attemptId, TaskState state, String message,
                        io.nightshift.api.model.FetchProgress fetch) {
        report(taskId, attemptId, state, null, null, message);
    }

    /** A RUNNING update with what the driver told about its application; a sink that keeps no facts keeps the message. */
    default void report(String taskId, String attemptId, String message, io.nightshift.api.model.AppInfo app) {
        report(taskId, attemptId, TaskState.RUNNING, null, null, message);
    }
}
