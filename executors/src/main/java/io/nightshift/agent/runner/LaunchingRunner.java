package io.nightshift.agent.runner;

import io.nightshift.agent.process.LaunchException;
import io.nightshift.agent.process.ProcessPlan;
import io.nightshift.agent.process.Supervisor;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A runner whose task is started by a launcher library (SparkLauncher) rather than from its {@link ProcessPlan}:
 * {@link #plan} still checks everything and describes the command (for the log), {@link #start} starts it. The
 * supervisor then treats the leader like any other (tree, cgroups, kill, re-attach).
 */
public interface LaunchingRunner extends Runner {
    /**
     * Starts the attempt; returns once the leader's pid is known. {@code cgroupProcs}: files the leader joins first;
     * {@code setsid}: to lead a session of its own (null: none); {@code info}: facts learnt while it runs
     * (application id, UI URL; each call all that is known so far), reported on the task.
     */
    Supervisor.Started start(Launch launch, TaskContext ctx, ProcessPlan plan, Path stdout, Path stderr,
                             List<Path> cgroupProcs, Path setsid, Consumer<io.nightshift.api.model.AppInfo> info) throws LaunchException;
}
