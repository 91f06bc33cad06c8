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
}
