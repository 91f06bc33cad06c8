package io.nightshift.agent.runner;

import io.nightshift.agent.process.LaunchException;
import io.nightshift.agent.process.ProcessPlan;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.JobType;

/**
 * Turns a Launch of one {@link JobType} into what to execute: argv, environment, working directory
 * (the sandbox). Pure apart from checking the file system (e.g. that a java home exists); never
 * starts anything.
 */
public interface Runner {
    JobType type();

    ProcessPlan plan(Launch launch, TaskContext context) throws LaunchException;

    /**
     * Called when a revocable attempt is revoked (its pool takes the capacity back), before its process tree
     * gets SIGTERM, with the instant by which it must have stopped (SIGKILL follows then). A workload that
     * can stop more cleanly than on a signal does so here (a Spark driver through its handle, a Kafka
     * consumer by committing and leaving its group); must not block. The default adds nothing to the
     * SIGTERM that follows. {@code sandbox} is the attempt's directory.
     */
    default void revoke(Launch launch, java.nio.file.Path sandbox, java.time.Instant deadline) {
    }

    /**
     * Called once the attempt runs (a started process, not a re-attached one), with its log files: a runner whose
     * workload tells facts about itself only in its log (a MapReduce job id) watches them there and hands each to
     * {@code info} (all that is known so far). Must not block; {@code ended} completes when the process exits. The
     * default watches nothing.
     */
    default void watch(Launch launch, java.nio.file.Path stdout, java.nio.file.Path stderr,
                       java.util.concurrent.CompletableFuture<?> ended,
                       java.util.function.Consumer<io.nightshift.api.model.AppInfo> info) {
    }

    /**
     * Called once the attempt's leader exited, before its end is reported: the facts its workload told in its log,
     * read from the whole log (a driver that ends within {@link #watch}'s first look still has them reported; what
     * comes after the end would be dropped). Null when there are none. Reads the files only; must be quick. The
     * default reads nothing.
     */
    default io.nightshift.api.model.AppInfo atExit(Launch launch, java.nio.file.Path stdout, java.nio.file.Path stderr) {
        return null;
    }
}
