package io.nightshift.agent.runner;

import io.nightshift.agent.process.LaunchException;
import io.nightshift.api.spec.JobType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The runner for each job type. Registering two runners for one type fails at once. */
public final class Runners {
    private final Map<JobType, Runner> byType = new EnumMap<>(JobType.class);

    public Runners(List<? extends Runner> runners) {
        for (Runner r : runners) {
            if (byType.putIfAbsent(r.type(), r) != null)
                throw new IllegalStateException("job type '" + r.type().wire() + "' registered twice");
        }
    }

    /** command and jvm. */
    public static Runners defaults() {
        return new Runners(List.of(new CommandRunner(), new JvmRunner()));
    }

    /** command, jvm, kafka (with the agent's harness classpath), spark and hadoop (with the agent's Spark homes). */
    public static Runners forAgent(io.nightshift.agent.AgentConfig config) {
        return new Runners(List.of(new CommandRunner(), new JvmRunner(), KafkaRunner.withHarness(config.kafkaHarnessClasspath(), config.fetch()),
                new SparkRunner(config.spark()), new HadoopRunner(config.spark())));
    }

    public Runner forType(JobType type) throws LaunchException {
        Runner r = byType.get(type);
        if (r == null) throw new LaunchException("this agent has no runner for job type '" + type.wire() + "'");
        return r;
    }
}
